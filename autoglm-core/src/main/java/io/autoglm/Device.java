package io.autoglm;

import java.util.Locale;
import java.util.Objects;

/**
 * Where a model's layers run. {@link #CPU} keeps every layer on the CPU; the GPU devices offload
 * the layers to that kind of device and need a llama.cpp build that has its ggml backend (the
 * bundled library is CPU-only: see {@code native/GPU.md} for building one and pointing
 * {@code nativeLibrary} at it). Asking for a device the library does not have is refused with a
 * {@link ModelLoadException} that names the devices it has and how to get a build that can.
 */
public enum Device {
    /** Every layer on the CPU (n_gpu_layers = 0). */
    CPU("CPU", null),
    /** NVIDIA GPUs through ggml's CUDA backend. */
    CUDA("CUDA", "-DGGML_CUDA=ON"),
    /** Apple GPUs through ggml's Metal backend. */
    METAL("Metal", "-DGGML_METAL=ON"),
    /** AMD, Intel and NVIDIA GPUs through ggml's Vulkan backend. */
    VULKAN("Vulkan", "-DGGML_VULKAN=ON");

    private final String registryName;
    private final String cmakeOption;

    Device(String registryName, String cmakeOption) {
        this.registryName = registryName;
        this.cmakeOption = cmakeOption;
    }

    /** @return the name of ggml's backend registry for this device ({@code CPU}, {@code CUDA}, {@code Metal}, {@code Vulkan}) */
    public String registryName() {
        return registryName;
    }

    /** @return the llama.cpp CMake option that builds this device's backend, or null for the CPU */
    public String cmakeOption() {
        return cmakeOption;
    }

    /** @return true for a GPU device */
    public boolean isGpu() {
        return this != CPU;
    }

    /**
     * @param name {@code cpu}, {@code cuda}, {@code metal} or {@code vulkan}, any case
     * @return the device
     * @throws IllegalArgumentException naming the accepted values when the name is unknown
     */
    public static Device parse(String name) {
        Objects.requireNonNull(name, "device");
        String n = name.strip().toUpperCase(Locale.ROOT);
        for (Device d : values()) {
            if (d.name().equals(n)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown device '" + name + "'; expected one of cpu, cuda, metal, vulkan");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}

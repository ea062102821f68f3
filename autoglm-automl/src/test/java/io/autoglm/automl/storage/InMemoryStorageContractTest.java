package io.autoglm.automl.storage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The storage contract on {@link InMemoryStorage}. */
class InMemoryStorageContractTest extends StorageContractTest {
    @Override
    protected Storage newStorage() {
        return Storages.open("memory:");
    }

    @Test
    void storagesOpen_memoryUrl_givesAnEmptyInMemoryStorage() {
        assertThat(storage).isInstanceOf(InMemoryStorage.class);
        assertThat(storage.studies()).isEmpty();
    }
}

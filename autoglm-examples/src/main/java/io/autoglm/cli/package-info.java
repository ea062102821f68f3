/**
 * The {@code autoglm} command-line tool ({@link io.autoglm.cli.AutoGlmCli}, picocli): one class per subcommand, the
 * error handling every subcommand shares ({@code CliErrors}: flags named in messages, exit codes 2 and 3), the
 * progress display of long work ({@link io.autoglm.cli.Progress}) and the training run of the jar's AOT cache
 * ({@link io.autoglm.cli.AotTraining}).
 */
package io.autoglm.cli;

/**
 * Config-file deployment: {@link io.autoglm.server.config.DeployConfig} reads an {@code autoglm.yaml} (server, models,
 * routing; {@code ${ENV}} interpolation; errors that name the file, line, column and field) and
 * {@link io.autoglm.server.config.Deployment} loads its models, serves them and reloads a changed file without
 * dropping running requests.
 */
package io.autoglm.server.config;

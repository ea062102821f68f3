/** The HTTP layer of the server (Helidon SE), authentication, limits, response cache and metrics. Not API. */
package io.autoglm.server.internal;

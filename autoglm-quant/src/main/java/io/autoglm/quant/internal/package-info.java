/** Implementation of the block codecs; not exported. */
package io.autoglm.quant.internal;

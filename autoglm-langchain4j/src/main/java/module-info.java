/**
 * LangChain4j adapters for AutoGLM: chat, streaming chat and embedding models over a {@code LanguageModel}.
 */
module io.autoglm.langchain4j {
    requires transitive io.autoglm.core;
    requires transitive langchain4j.core;
    requires org.slf4j;

    exports io.autoglm.langchain4j;
}

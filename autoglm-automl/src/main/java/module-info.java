/** AutoGLM automl: hyperparameter search, storages, learning-rate schedules, monitors, pipelines. */
module io.autoglm.automl {
    requires transitive org.slf4j;
    requires transitive java.sql;
    requires com.fasterxml.jackson.databind;

    exports io.autoglm.automl;
    exports io.autoglm.automl.search;
    exports io.autoglm.automl.storage;
    exports io.autoglm.automl.cv;

    // training helpers (issue 5)
    exports io.autoglm.automl.lr;
    exports io.autoglm.automl.monitor;
    exports io.autoglm.automl.feedback;
    exports io.autoglm.automl.pipeline;

}

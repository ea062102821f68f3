/** AutoGLM automl: hyperparameter search, storages, learning-rate schedules, monitors, pipelines. */
module io.autoglm.automl {
    requires transitive org.slf4j;
    requires transitive java.sql;
    requires com.fasterxml.jackson.databind;

    exports io.autoglm.automl;
    exports io.autoglm.automl.search;
    exports io.autoglm.automl.storage;
    exports io.autoglm.automl.cv;

}

/** AutoGLM automl: hyperparameter search, storages, learning-rate schedules, monitors, pipelines. */
module io.autoglm.automl {
    requires transitive org.slf4j;
    requires transitive java.sql;
    requires com.fasterxml.jackson.databind;

}

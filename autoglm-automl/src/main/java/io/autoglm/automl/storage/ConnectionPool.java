package io.autoglm.automl.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;

/** A small blocking pool: at most {@code max} connections, created on demand, reused LIFO. */
final class ConnectionPool {
    /** Opens a new configured connection. */
    interface Factory {
        Connection open() throws SQLException;
    }

    private final Factory factory;
    private final int max;
    private final ArrayDeque<Connection> idle = new ArrayDeque<>();
    private int open;
    private boolean closed;

    ConnectionPool(Factory factory, int max) {
        this.factory = factory;
        this.max = max;
    }

    Connection borrow() throws SQLException {
        synchronized (this) {
            while (true) {
                if (closed) {
                    throw new IllegalStateException("closed: connection pool");
                }
                if (!idle.isEmpty()) {
                    return idle.pop();
                }
                if (open < max) {
                    open++;
                    break;
                }
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("interrupted while waiting for a database connection", e);
                }
            }
        }
        try {
            return factory.open();
        } catch (SQLException | RuntimeException e) {
            synchronized (this) {
                open--;
                notifyAll();
            }
            throw e;
        }
    }

    void release(Connection c, boolean discard) {
        boolean close;
        synchronized (this) {
            close = discard || closed;
            if (close) {
                open--;
            } else {
                idle.push(c);
            }
            notifyAll();
        }
        if (close) {
            closeQuietly(c);
        }
    }

    void close() {
        ArrayDeque<Connection> toClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = new ArrayDeque<>(idle);
            open -= idle.size();
            idle.clear();
            notifyAll();
        }
        toClose.forEach(ConnectionPool::closeQuietly);
    }

    static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // closing a broken connection: nothing more to release
        }
    }
}

package org.worldserver.persistence;

/** Cassandra did not answer a starting node within {@link PersistenceSettings#startupCheckTimeout()}. */
public final class CassandraUnavailableException extends RuntimeException {

    public CassandraUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}

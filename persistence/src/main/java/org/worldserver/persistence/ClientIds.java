package org.worldserver.persistence;

/**
 * The one rule for ids a client chooses (accounts, transfers, holds, deposits, loans, payments, mint and burn
 * references, assets, trades, parties): 1 to 128 characters, not blank, without ':'. The server derives its own ids
 * by joining parts with ':' ({@code transfer:<id>}, {@code capture:<account>:<hold>}, {@code trade:<id>}, {@code
 * loan:<id>:payment:<p>}, ...), so no client id can take the place of one. Pure.
 */
public final class ClientIds {

    public static final int MAX_LENGTH = 128;

    private ClientIds() {}

    public static boolean valid(String id) {
        return id != null && !id.isBlank() && id.length() <= MAX_LENGTH && id.indexOf(':') < 0;
    }
}

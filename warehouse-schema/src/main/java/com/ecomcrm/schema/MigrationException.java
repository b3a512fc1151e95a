package com.ecomcrm.schema;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;

/**
 * A migration could not be applied, or the migrations already applied do not match the files (a changed checksum).
 * The message names the migration file. It never carries a password.
 */
public class MigrationException extends DomainException {
    public MigrationException(ErrorCode code, String message) {
        super(code, message);
    }

    public MigrationException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}

package com.ecomcrm.api.customers;

/**
 * The reads of one answer came from two publications: a new one was switched in between them. The answer is read
 * again (the switch happens once a night per shop, so a second attempt agrees); it is never mixed.
 */
final class PublicationChanged extends RuntimeException {
    PublicationChanged(String what) {
        super("Cannot answer from one publication: a new one was switched in while reading " + what, null, false,
                false);
    }
}

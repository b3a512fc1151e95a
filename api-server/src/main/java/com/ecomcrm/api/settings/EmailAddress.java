package com.ecomcrm.api.settings;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

/** Email address syntax as the mail library will accept it at send time: a bare {@code local@domain.tld}. */
public final class EmailAddress {
    private EmailAddress() {
    }

    public static boolean valid(String address) {
        if (address == null || address.length() > 254 || address.isBlank() || !address.equals(address.strip())) {
            return false;
        }
        try {
            InternetAddress parsed = new InternetAddress(address, true);
            parsed.validate();
            // A bare address only (no "Name <a@b>"), with a dot in the domain.
            int at = address.lastIndexOf('@');
            return parsed.getAddress().equals(address) && at > 0 && address.indexOf('.', at) > at + 1
                    && !address.endsWith(".");
        }
        catch (AddressException e) {
            return false;
        }
    }
}

package com.ecomcrm.api.privacy;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who operates the app, as the privacy policy names them. Only the operator knows these facts, so they come from the
 * environment and nothing is made up when they are missing: the page then says plainly what is not configured.
 *
 * @param companyName    {@code ECOMCRM_COMPANY_NAME}: the legal name of the operator (the data processor)
 * @param contactEmail   {@code ECOMCRM_CONTACT_EMAIL}: where merchants and their customers write about privacy
 * @param companyAddress {@code ECOMCRM_COMPANY_ADDRESS}: the operator's postal address
 * @param dataLocation   {@code ECOMCRM_DATA_LOCATION}: where the servers and the data are (for example a cloud region)
 * @param subprocessors  {@code ECOMCRM_SUBPROCESSORS}: {@code name|purpose|location} entries separated by {@code ;}
 * @param lastUpdated    {@code ECOMCRM_PRIVACY_UPDATED}: the date the operator last reviewed the policy
 */
public record PrivacySettings(Optional<String> companyName, Optional<String> contactEmail,
                              Optional<String> companyAddress, Optional<String> dataLocation,
                              List<Subprocessor> subprocessors, Optional<String> lastUpdated) {
    /** A service the operator hands data to, with what for and where. */
    public record Subprocessor(String name, String purpose, String location) {
        public Subprocessor {
            requireNonNull(name, "name is null");
            requireNonNull(purpose, "purpose is null");
            requireNonNull(location, "location is null");
        }
    }

    public PrivacySettings {
        requireNonNull(companyName, "companyName is null");
        requireNonNull(contactEmail, "contactEmail is null");
        requireNonNull(companyAddress, "companyAddress is null");
        requireNonNull(dataLocation, "dataLocation is null");
        subprocessors = List.copyOf(subprocessors);
        requireNonNull(lastUpdated, "lastUpdated is null");
    }

    public static PrivacySettings fromEnvironment(Map<String, String> env) {
        return new PrivacySettings(value(env, "ECOMCRM_COMPANY_NAME"), value(env, "ECOMCRM_CONTACT_EMAIL"),
                value(env, "ECOMCRM_COMPANY_ADDRESS"), value(env, "ECOMCRM_DATA_LOCATION"),
                subprocessors(value(env, "ECOMCRM_SUBPROCESSORS").orElse("")),
                value(env, "ECOMCRM_PRIVACY_UPDATED"));
    }

    /** The settings a production operator must give; empty when all are there. */
    public List<String> missing() {
        List<String> missing = new ArrayList<>();
        if (companyName.isEmpty()) {
            missing.add("ECOMCRM_COMPANY_NAME");
        }
        if (contactEmail.isEmpty()) {
            missing.add("ECOMCRM_CONTACT_EMAIL");
        }
        if (companyAddress.isEmpty()) {
            missing.add("ECOMCRM_COMPANY_ADDRESS");
        }
        if (dataLocation.isEmpty()) {
            missing.add("ECOMCRM_DATA_LOCATION");
        }
        if (subprocessors.isEmpty()) {
            missing.add("ECOMCRM_SUBPROCESSORS");
        }
        return missing;
    }

    static List<Subprocessor> subprocessors(String value) {
        List<Subprocessor> list = new ArrayList<>();
        for (String entry : value.split(";")) {
            if (entry.isBlank()) {
                continue;
            }
            String[] parts = entry.split("\\|", -1);
            if (parts.length != 3 || parts[0].isBlank()) {
                throw new IllegalArgumentException("Cannot use ECOMCRM_SUBPROCESSORS: entry '" + entry.strip()
                        + "' is not name|purpose|location");
            }
            list.add(new Subprocessor(parts[0].strip(), parts[1].strip(), parts[2].strip()));
        }
        return list;
    }

    private static Optional<String> value(Map<String, String> env, String key) {
        return Optional.ofNullable(env.get(key)).map(String::strip).filter(s -> !s.isEmpty());
    }
}

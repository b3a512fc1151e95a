package com.ecomcrm.api.compliance;

import com.ecomcrm.domain.ShopId;

import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Where customer data exports live: {@code <ECOMCRM_EXPORT_DIR, default var/exports>/<shop domain>/<file>}, the
 * layout the pipelines' {@code ComplianceJob} writes. A file name comes from the database, but it is still checked
 * to be a plain name, so a bad row can never point a download outside the shop's folder.
 */
public record ExportFolder(Path root) {
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_.-]+");

    public ExportFolder {
        root = requireNonNull(root, "root is null").toAbsolutePath().normalize();
    }

    public static ExportFolder fromEnvironment(Map<String, String> env) {
        String dir = env.get("ECOMCRM_EXPORT_DIR");
        return new ExportFolder(Path.of(dir == null || dir.isBlank() ? "var/exports" : dir));
    }

    public Path shopDirectory(ShopId shop) {
        return root.resolve(shop.domain());
    }

    public Path file(ShopId shop, String fileName) {
        if (!FILE_NAME.matcher(fileName).matches() || fileName.startsWith(".")) {
            throw new IllegalArgumentException("Cannot use export file name '" + fileName + "': not a plain name");
        }
        return shopDirectory(shop).resolve(fileName);
    }
}

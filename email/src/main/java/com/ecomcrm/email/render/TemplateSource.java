package com.ecomcrm.email.render;

import com.ecomcrm.domain.ShopId;
import java.util.Optional;

/**
 * The template store as the renderer's includes see it: only the given shop's templates, by name. The renderer
 * never reads the file system or the class path.
 */
@FunctionalInterface
public interface TemplateSource {
    /** The newest HTML body of the shop's template called {@code name}, if the shop has one. */
    Optional<String> load(ShopId shop, String name);

    /** A store with no templates: every include fails. */
    static TemplateSource empty() {
        return (shop, name) -> Optional.empty();
    }
}

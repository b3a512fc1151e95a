package com.ecomcrm.api.segments;

import com.ecomcrm.domain.ShopId;

import java.util.Optional;

/** Reads a shop's latest published segments. Blocking. */
public interface SegmentReader {
    Optional<SegmentReport> latest(ShopId shop);
}

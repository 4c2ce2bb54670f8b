package org.worldserver.shard;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Settings (HOCON) a {@link OneNodeIT} class's node runs with on top of the shipped configuration. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@interface WithSettings {
    String value();
}

package org.worldserver.asset;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.worldserver.persistence.CborSerializable;

/**
 * The assets' metadata index: one {@link Doc} per asset, folded from its events, with postings that answer {@link
 * Query queries} by owner, kind, tag, attribute equality and numeric range, region, price range and words of the
 * name. Updates are idempotent and in order: a doc carries the sequence number of the last event folded into it; an
 * event at or below it is a repeat and ignored (at-least-once delivery is safe), and one beyond the next is a gap
 * the feeder must fill first (it is not applied, {@link Applied#GAP}).
 *
 * <p>Not thread-safe: one owner (the projection) applies and queries it.
 */
public final class AssetIndex {

    /** What the index knows of one asset, as of event {@code sequence}. */
    public record Doc(
            String id,
            AssetSpec.Kind kind,
            String creator,
            String owner,
            String name,
            Map<String, AssetSpec.Attribute> attributes,
            Set<String> tags,
            String region,
            Asset.Status status,
            long price,
            long sequence)
            implements CborSerializable {}

    /**
     * A query: every given criterion must hold (null: any). {@code attributeEquals} matches text and flags as
     * written and numbers by value ("12.50" finds 12.5); ranges are over NUMBER attributes, inclusive (an empty or
     * malformed range finds nothing); {@code price} ranges match assets listed for sale (LISTED) only; {@code text}
     * matches assets whose name has a word starting with each word of it (case-insensitive; words are runs of
     * letters and digits). Burned assets are left out unless {@code status} asks for them. At most {@code limit}
     * results, ordered by id, after {@code after} (for paging).
     */
    public record Query(
            String owner,
            AssetSpec.Kind kind,
            String tag,
            Map<String, String> attributeEquals,
            Map<String, double[]> attributeRanges,
            String region,
            Long minPrice,
            Long maxPrice,
            String text,
            Asset.Status status,
            String after,
            int limit) {}

    private final Map<String, Doc> docs = new HashMap<>();
    private final Map<String, Set<String>> byOwner = new HashMap<>();
    private final Map<String, Set<String>> byKind = new HashMap<>();
    private final Map<String, Set<String>> byTag = new HashMap<>();
    private final Map<String, Set<String>> byRegion = new HashMap<>();
    private final Map<String, Set<String>> byStatus = new HashMap<>();
    private final Map<String, Set<String>> byAttribute = new HashMap<>(); // "name=value" → ids
    private final Map<String, NavigableMap<Double, Set<String>>> byNumber = new HashMap<>();
    private final NavigableMap<Long, Set<String>> byPrice = new TreeMap<>();
    private final NavigableMap<String, Set<String>> byWord = new TreeMap<>();

    /**
     * The doc after event {@code e} (number {@code sequence} of asset {@code id}); {@code before} is null before the
     * mint. Pure.
     */
    public static Doc fold(String id, Doc before, Asset.Event e, long sequence) {
        if (e instanceof Asset.Minted m) {
            AssetSpec s = m.spec();
            return new Doc(
                    id,
                    s.kind(),
                    s.creator(),
                    m.owner(),
                    s.name(),
                    s.attributes(),
                    s.tags(),
                    s.parcel() == null ? null : s.parcel().region(),
                    Asset.Status.ACTIVE,
                    0,
                    sequence);
        }
        if (before == null) {
            return null; // an event of an asset whose mint was never seen cannot be indexed
        }
        String owner = before.owner();
        Asset.Status status = before.status();
        long price = before.price();
        if (e instanceof Asset.OwnerChanged o) {
            owner = o.to();
            status = Asset.Status.ACTIVE;
            price = 0;
        } else if (e instanceof Asset.Listed l) {
            status = Asset.Status.LISTED;
            price = l.price();
        } else if (e instanceof Asset.Delisted) {
            status = Asset.Status.ACTIVE;
            price = 0;
        } else if (e instanceof Asset.Locked) {
            status = Asset.Status.LOCKED;
        } else if (e instanceof Asset.Unlocked) {
            status = Asset.Status.LISTED;
        } else if (e instanceof Asset.Lent) {
            status = Asset.Status.LENT;
        } else if (e instanceof Asset.Returned) {
            status = Asset.Status.ACTIVE;
        } else if (e instanceof Asset.Burned) {
            status = Asset.Status.BURNED;
            price = 0;
        }
        return new Doc(
                id,
                before.kind(),
                before.creator(),
                owner,
                before.name(),
                before.attributes(),
                before.tags(),
                before.region(),
                status,
                price,
                sequence);
    }

    public Doc get(String id) {
        return docs.get(id);
    }

    public int size() {
        return docs.size();
    }

    public Collection<Doc> docs() {
        return docs.values();
    }

    /** What {@link #apply} did with an event. */
    public enum Applied {
        APPLIED,
        /** Seen already (at-least-once delivery repeats events): ignored. */
        REPEATED,
        /** Not the next event of its asset (an earlier one is missing): not applied; fetch the missing ones first. */
        GAP
    }

    /** Folds event {@code sequence} of asset {@code id} in, if it is the next one of that asset. */
    public Applied apply(String id, Asset.Event e, long sequence) {
        Doc before = docs.get(id);
        long last = before == null ? 0 : before.sequence();
        if (sequence <= last) {
            return Applied.REPEATED;
        }
        if (sequence != last + 1) {
            return Applied.GAP;
        }
        Doc after = fold(id, before, e, sequence);
        if (after == null) {
            return Applied.GAP; // the asset's events do not start with its mint: the mint is missing
        }
        put(after);
        return Applied.APPLIED;
    }

    /** Puts {@code doc} in place of the asset's current one (when loading stored docs), if it is newer. */
    public void put(Doc doc) {
        Doc before = docs.get(doc.id());
        if (before != null) {
            if (before.sequence() >= doc.sequence()) {
                return;
            }
            postings(before, false);
        }
        docs.put(doc.id(), doc);
        postings(doc, true);
    }

    private void postings(Doc d, boolean add) {
        post(byOwner, d.owner(), d.id(), add);
        post(byKind, d.kind().name(), d.id(), add);
        post(byStatus, d.status().name(), d.id(), add);
        if (d.region() != null) {
            post(byRegion, d.region(), d.id(), add);
        }
        for (String tag : d.tags()) {
            post(byTag, tag, d.id(), add);
        }
        for (Map.Entry<String, AssetSpec.Attribute> a : d.attributes().entrySet()) {
            post(byAttribute, equalityKey(a.getKey(), a.getValue()), d.id(), add);
            if (a.getValue().type() == AssetSpec.Attribute.Type.NUMBER) {
                post(
                        byNumber.computeIfAbsent(a.getKey(), k -> new TreeMap<>()),
                        number(a.getValue().value()),
                        d.id(),
                        add);
            }
        }
        if (d.status() == Asset.Status.LISTED && d.price() > 0) {
            post(byPrice, d.price(), d.id(), add);
        }
        for (String word : words(d.name())) {
            post(byWord, word, d.id(), add);
        }
    }

    private static <K> void post(Map<K, Set<String>> postings, K key, String id, boolean add) {
        if (add) {
            postings.computeIfAbsent(key, k -> new HashSet<>()).add(id);
        } else {
            Set<String> ids = postings.get(key);
            if (ids != null) {
                ids.remove(id);
                if (ids.isEmpty()) {
                    postings.remove(key);
                }
            }
        }
    }

    /** Numbers compare as numbers ("12.50" equals "12.5"), text and flags as written; the two never meet. */
    private static String equalityKey(String name, AssetSpec.Attribute a) {
        return a.type() == AssetSpec.Attribute.Type.NUMBER
                ? name + "=N:" + number(a.value())
                : name + "=T:" + a.value();
    }

    /** A number's value, with −0 as 0 (so that it is found by 0 and by ranges from 0). */
    private static double number(String value) {
        return Double.parseDouble(value) + 0.0;
    }

    private static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (!w.isEmpty()) {
                words.add(w);
            }
        }
        return words;
    }

    /** The most results one query answers. */
    public static final int MAX_LIMIT = 500;

    /** The docs matching {@code q}, ordered by id, at most {@code q.limit()} (clamped to 1-{@value #MAX_LIMIT}). */
    public List<Doc> query(Query q) {
        int limit = Math.max(1, Math.min(MAX_LIMIT, q.limit()));
        List<Set<String>> sets = new ArrayList<>();
        if (q.owner() != null) {
            sets.add(byOwner.getOrDefault(q.owner(), Set.of()));
        }
        if (q.kind() != null) {
            sets.add(byKind.getOrDefault(q.kind().name(), Set.of()));
        }
        if (q.tag() != null) {
            sets.add(byTag.getOrDefault(q.tag(), Set.of()));
        }
        if (q.region() != null) {
            sets.add(byRegion.getOrDefault(q.region(), Set.of()));
        }
        if (q.status() != null) {
            sets.add(byStatus.getOrDefault(q.status().name(), Set.of()));
        }
        if (q.attributeEquals() != null) {
            for (Map.Entry<String, String> a : q.attributeEquals().entrySet()) {
                Set<String> ids = new HashSet<>(byAttribute.getOrDefault(a.getKey() + "=T:" + a.getValue(), Set.of()));
                try {
                    ids.addAll(byAttribute.getOrDefault(a.getKey() + "=N:" + number(a.getValue()), Set.of()));
                } catch (NumberFormatException notANumber) {
                    // compared as text only
                }
                sets.add(ids);
            }
        }
        if (q.attributeRanges() != null) {
            for (Map.Entry<String, double[]> r : q.attributeRanges().entrySet()) {
                double[] range = r.getValue();
                if (range == null || range.length != 2 || !(range[0] <= range[1])) { // also false for NaN
                    sets.add(Set.of());
                    continue;
                }
                NavigableMap<Double, Set<String>> numbers = byNumber.getOrDefault(r.getKey(), new TreeMap<>());
                sets.add(union(numbers.subMap(range[0] + 0.0, true, range[1] + 0.0, true)
                        .values()));
            }
        }
        if (q.minPrice() != null || q.maxPrice() != null) {
            long min = q.minPrice() == null ? 1 : q.minPrice();
            long max = q.maxPrice() == null ? Long.MAX_VALUE : q.maxPrice();
            sets.add(
                    min > max
                            ? Set.of()
                            : union(byPrice.subMap(min, true, max, true).values()));
        }
        if (q.text() != null) {
            for (String word : words(q.text())) {
                sets.add(union(byWord.subMap(word, true, word + Character.MAX_VALUE, false)
                        .values()));
            }
        }
        sets.sort((a, b) -> Integer.compare(a.size(), b.size()));
        TreeSet<String> result = new TreeSet<>();
        Collection<String> candidates = sets.isEmpty() ? docs.keySet() : sets.get(0);
        for (String id : candidates) {
            if (q.after() != null && id.compareTo(q.after()) <= 0) {
                continue;
            }
            boolean all = true;
            for (int i = 1; i < sets.size() && all; i++) {
                all = sets.get(i).contains(id);
            }
            if (all && (q.status() != null || docs.get(id).status() != Asset.Status.BURNED)) {
                result.add(id);
                if (result.size() > limit) {
                    result.pollLast();
                }
            }
        }
        return result.stream().map(docs::get).toList();
    }

    private static Set<String> union(Collection<Set<String>> sets) {
        if (sets.size() == 1) {
            return sets.iterator().next();
        }
        Set<String> all = new HashSet<>();
        sets.forEach(all::addAll);
        return all;
    }
}

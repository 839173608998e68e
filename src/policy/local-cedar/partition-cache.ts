/**
 * A bounded LRU of pre-parsed partitions. cedar-wasm keeps pre-parsed sets in a thread-local map with no
 * eviction, and re-using an id replaces the entry: so the cache hands out a fixed pool of slot numbers and
 * an evicted partition's slot is reused by the next one, which frees the old set. Memory stays bounded
 * however many distinct partitions the traffic produces.
 */
export class PartitionCache<T extends { slot: number }> {
  private readonly entries = new Map<string, T>();
  private readonly freeSlots: number[] = [];
  private nextSlot = 0;

  constructor(private readonly capacity: number) {
    if (!(capacity >= 1)) throw new Error("partition cache capacity must be at least 1");
  }

  get(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      // Map iteration order is insertion order: re-inserting marks it most recently used.
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  /** Create and insert; evicts the least recently used entry when full, handing its slot to the new one. */
  add(key: string, create: (slot: number) => T): T {
    if (this.entries.size >= this.capacity) {
      const [oldestKey, oldest] = this.entries.entries().next().value as [string, T];
      this.entries.delete(oldestKey);
      this.freeSlots.push(oldest.slot);
    }
    const slot = this.freeSlots.pop() ?? this.nextSlot++;
    let entry: T;
    try {
      entry = create(slot);
    } catch (err) {
      this.freeSlots.push(slot);
      throw err;
    }
    this.entries.set(key, entry);
    return entry;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** A small typed event emitter (`on`/`off`/`once`), so the bundle needs no Node `events` shim. */

// Listener tables hold functions of different signatures; the public methods keep them typed.
type AnyListener = (...args: never[]) => void;

/** Emits the events of `Events` (event name → listener signature). */
export class TypedEmitter<Events extends { [K in keyof Events]: AnyListener }> {
  private readonly listeners = new Map<keyof Events, Set<AnyListener>>();

  /** Adds a listener. */
  on<K extends keyof Events>(event: K, listener: Events[K]): this {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return this;
  }

  /** Removes a listener. */
  off<K extends keyof Events>(event: K, listener: Events[K]): this {
    this.listeners.get(event)?.delete(listener);
    return this;
  }

  /** Adds a listener that runs once. */
  once<K extends keyof Events>(event: K, listener: Events[K]): this {
    const wrapped = ((...args: Parameters<Events[K]>) => {
      this.off(event, wrapped);
      (listener as (...a: Parameters<Events[K]>) => void)(...args);
    }) as unknown as Events[K];
    return this.on(event, wrapped);
  }

  /** Removes every listener of `event`, or of every event. */
  removeAllListeners(event?: keyof Events): this {
    if (event === undefined) this.listeners.clear();
    else this.listeners.delete(event);
    return this;
  }

  /** Calls the listeners of `event`; a throwing listener does not stop the others. */
  protected emit<K extends keyof Events>(event: K, ...args: Parameters<Events[K]>): void {
    for (const l of [...(this.listeners.get(event) ?? [])]) {
      try {
        (l as (...a: Parameters<Events[K]>) => void)(...args);
      } catch (err) {
        console.error(`liveface: a "${String(event)}" listener threw`, err);
      }
    }
  }
}

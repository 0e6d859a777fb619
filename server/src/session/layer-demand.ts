// Which simulcast layers of each video producer someone consumes, so that the phone sends only
// those ("dynacast"; the crew pays for every byte of its uplink). A crew camera is sent as three
// layers (1/4, 1/2 and full resolution); a surveyor watching full screen and the recorder both
// want the top one, and then the middle one is sent for nobody.
//
// Every consumer of the router is seen here (router.observer), the room's WebRTC consumers and
// the recorder's PlainTransport ones alike. Each wants one spatial layer: by default the top one
// (mediasoup's default preference), or what it asked for through want(), never above the
// producer's ceiling (ceil(): the top layer the phone sends with its video profile and data saver);
// and the layer it receives now, until it has moved (make before break). A producer's wanted
// layers are the union over its consumers, plus layer 0
// always: the fallback a consumer on a weakening link drops to at once, without waiting for the
// phone. A layer someone starts wanting is announced at once; one nobody wants any more only once
// the demand has not changed for OFF_DELAY_MS, so a consumer replaced by another (a rejoin, a
// layer switch) does not make the phone turn the layer off and on again.
import type { Consumer, Producer, Router, Transport } from 'mediasoup/types';

/** How long a layer nobody wants keeps being sent (a consumer being replaced wants it again). */
export const OFF_DELAY_MS = 3_000;

interface ConsumerWant {
  consumer: Consumer;
  /** The layer it asked for (want()), or null: the top one. */
  layer: number | null;
}

interface ProducerDemand {
  producer: Producer;
  /** Layers held on by hold() (counted once per hold), whoever consumes them. */
  holds: number[];
  /** The highest layer any consumer may prefer (ceil()), or null: the producer's top one. */
  ceiling: number | null;
  /** The active flags last announced; the phone starts with every encoding on. */
  announced: boolean[];
  offTimer: NodeJS.Timeout | null;
}

export type LayersListener = (producer: Producer, active: boolean[]) => void;

export class LayerDemand {
  private readonly producers = new Map<string, ProducerDemand>();
  private readonly consumers = new Map<string, ConsumerWant>();

  constructor(
    router: Router,
    private readonly announce: LayersListener,
    private readonly offDelayMs = OFF_DELAY_MS,
  ) {
    router.observer.on('newtransport', (transport: Transport) => {
      transport.observer.on('newproducer', (producer: Producer) => this.addProducer(producer));
      transport.observer.on('newconsumer', (consumer: Consumer) => this.addConsumer(consumer));
    });
  }

  /** The spatial layer this consumer needs (the size of the element showing it, say). */
  async want(consumer: Consumer, spatialLayer: number): Promise<void> {
    const entry = this.consumers.get(consumer.id);
    if (!entry) return void (await consumer.setPreferredLayers({ spatialLayer }));
    entry.layer = spatialLayer;
    await this.apply(entry);
  }

  /**
   * The highest spatial layer the producer will send (a video profile, the data saver), or null
   * for its top one: every consumer of it prefers at most that layer, those that come later too.
   */
  async ceil(producerId: string, spatialLayer: number | null): Promise<void> {
    const demand = this.producers.get(producerId);
    if (!demand) return;
    demand.ceiling = spatialLayer;
    const entries = [...this.consumers.values()].filter((e) => e.consumer.producerId === producerId);
    await Promise.all(entries.map((entry) => this.apply(entry).catch(() => undefined))); // closed meanwhile
  }

  /**
   * Keeps a layer of a producer on (announced at once) until the returned release is called:
   * before consumers move to a layer that may be off, so that none of them drops to a lower one
   * meanwhile (mediasoup forwards the best layer at or below the preferred one that arrives).
   */
  hold(producerId: string, spatialLayer: number): () => void {
    const demand = this.producers.get(producerId);
    if (!demand) return () => undefined;
    demand.holds.push(spatialLayer);
    this.update(producerId);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      demand.holds.splice(demand.holds.indexOf(spatialLayer), 1);
      this.update(producerId);
    };
  }

  /** Resolves once the producer's layer arrives (its score is above 0), or after `timeoutMs`. */
  async flowing(producer: Producer, spatialLayer: number, timeoutMs: number): Promise<boolean> {
    const arrives = () => producer.score.some((s) => s.encodingIdx === spatialLayer && s.score > 0);
    if (arrives()) return true;
    return new Promise<boolean>((resolve) => {
      const done = (flows: boolean) => {
        clearTimeout(timer);
        producer.off('score', onScore);
        producer.observer.off('close', onClose);
        resolve(flows);
      };
      const onScore = () => arrives() && done(true);
      const onClose = () => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      producer.on('score', onScore);
      producer.observer.once('close', onClose);
    });
  }

  /** What the producer's consumers want now: one flag per encoding (for tests and the log). */
  wanted(producerId: string): boolean[] | null {
    const demand = this.producers.get(producerId);
    return demand ? this.compute(demand) : null;
  }

  private addProducer(producer: Producer): void {
    if (producer.type !== 'simulcast') return;
    const count = producer.rtpParameters.encodings?.length ?? 1;
    this.producers.set(producer.id, {
      producer,
      holds: [],
      ceiling: null,
      announced: new Array<boolean>(count).fill(true),
      offTimer: null,
    });
    producer.observer.once('close', () => {
      const demand = this.producers.get(producer.id);
      if (demand?.offTimer) clearTimeout(demand.offTimer);
      this.producers.delete(producer.id);
    });
  }

  private addConsumer(consumer: Consumer): void {
    if (consumer.type !== 'simulcast' || !this.producers.has(consumer.producerId)) return;
    const entry: ConsumerWant = { consumer, layer: null };
    this.consumers.set(consumer.id, entry);
    // What it receives counts as well as what it prefers (see compute()).
    consumer.observer.on('layerschange', () => this.update(consumer.producerId));
    consumer.observer.once('close', () => {
      this.consumers.delete(consumer.id);
      this.update(consumer.producerId);
    });
    // Under a ceiling: it starts with mediasoup's default preference, the producer's top layer.
    if (this.producers.get(consumer.producerId)!.ceiling !== null) void this.apply(entry).catch(() => undefined);
    else this.update(consumer.producerId);
  }

  /** The consumer's preferred layer: what it wants, within the producer's ceiling. */
  private preferred(entry: ConsumerWant, demand: ProducerDemand): number {
    const top = Math.min(demand.announced.length - 1, demand.ceiling ?? Infinity);
    return Math.min(entry.layer ?? top, top);
  }

  private async apply(entry: ConsumerWant): Promise<void> {
    const demand = this.producers.get(entry.consumer.producerId);
    // Announced before the consumer moves: a layer it needs is turned on first.
    this.update(entry.consumer.producerId);
    if (entry.consumer.closed || !demand) return;
    await entry.consumer.setPreferredLayers({ spatialLayer: this.preferred(entry, demand) });
  }

  private compute(demand: ProducerDemand): boolean[] {
    const top = demand.announced.length - 1;
    const active = demand.announced.map((_, i) => i === 0 || demand.holds.includes(i));
    for (const entry of this.consumers.values()) {
      const { consumer } = entry;
      if (consumer.producerId !== demand.producer.id || consumer.closed) continue;
      active[this.preferred(entry, demand)] = true;
      // The layer it receives now stays on too until it has moved to the preferred one: the top
      // layer may not be sent yet (a phone's encoder ramping up, a weak uplink), and turning off
      // what a consumer gets meanwhile would leave it with a lower layer or none.
      const current = consumer.currentLayers?.spatialLayer;
      if (current !== undefined && current <= top) active[current] = true;
    }
    return active;
  }

  /**
   * Announces a layer someone newly wants at once. Layers nobody wants any more are turned off
   * once the demand has stayed as it is for the delay (each change of demand starts it again).
   */
  private update(producerId: string): void {
    const demand = this.producers.get(producerId);
    if (!demand || demand.producer.closed) return;
    const active = this.compute(demand);
    if (active.some((on, i) => on && !demand.announced[i])) {
      // What is to go off stays on until the delay has passed.
      this.send(
        demand,
        active.map((on, i) => on || demand.announced[i]!),
      );
    }
    if (demand.offTimer) clearTimeout(demand.offTimer);
    demand.offTimer = null;
    if (!active.some((on, i) => !on && demand.announced[i])) return;
    demand.offTimer = setTimeout(() => {
      demand.offTimer = null;
      const now = this.compute(demand);
      if (!demand.producer.closed && now.some((on, i) => on !== demand.announced[i])) this.send(demand, now);
    }, this.offDelayMs);
    demand.offTimer.unref();
  }

  private send(demand: ProducerDemand, active: boolean[]): void {
    demand.announced = active;
    this.announce(demand.producer, active);
  }
}

// What jsdom lacks and React Flow needs to draw a graph: element sizes, ResizeObserver and
// DOMMatrixReadOnly. Stand-ins for the browser, not for anything of ours; the browser tests
// (tests/e2e/) run the real thing in Chromium.

/** Every element measures as a 1200 × 600 canvas (jsdom lays nothing out). */
const WIDTH = 1200;
const HEIGHT = 600;

export function installDomShims(): void {
  Object.defineProperty(HTMLElement.prototype, "offsetWidth", {
    configurable: true,
    get: () => WIDTH,
  });
  Object.defineProperty(HTMLElement.prototype, "offsetHeight", {
    configurable: true,
    get: () => HEIGHT,
  });
  Object.defineProperty(HTMLElement.prototype, "clientWidth", {
    configurable: true,
    get: () => WIDTH,
  });
  Object.defineProperty(HTMLElement.prototype, "clientHeight", {
    configurable: true,
    get: () => HEIGHT,
  });

  class ResizeObserver {
    constructor(private readonly callback: ResizeObserverCallback) {}
    observe(target: Element) {
      this.callback([{ target } as ResizeObserverEntry], this);
    }
    unobserve() {}
    disconnect() {}
  }

  /** Only the scale React Flow reads back from a transform. */
  class DOMMatrixReadOnly {
    m22: number;
    constructor(transform?: string) {
      const scale = transform?.match(/scale\(([\d.]+)\)/)?.[1];
      this.m22 = scale === undefined ? 1 : Number(scale);
    }
  }

  globalThis.ResizeObserver ??= ResizeObserver as unknown as typeof globalThis.ResizeObserver;
  (globalThis as { DOMMatrixReadOnly?: unknown }).DOMMatrixReadOnly ??= DOMMatrixReadOnly;
}

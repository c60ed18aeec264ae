/** Our backend names other than "auto". */
export type ConcreteBackend = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

let active: ConcreteBackend | undefined;

/** The backend name this package last started, if any. */
export function activeBackendName(): ConcreteBackend | undefined {
  return active;
}

/** Records what useBackend started (the tfjs name "tensorflow" hides whether it is the gpu build). */
export function setActiveBackendName(name: ConcreteBackend): void {
  active = name;
}

// The WebAssembly JS API the harness uses. The repository's TypeScript setup has no DOM lib and @types/node does not
// declare these globals (Node has them at runtime).
declare namespace WebAssembly {
  type ImportValue = (...args: number[]) => number | undefined;
  type Imports = Record<string, Record<string, ImportValue>>;
  interface ModuleImportDescriptor {
    module: string;
    name: string;
    kind: "function" | "table" | "memory" | "global" | "tag";
  }
  class Module {
    constructor(bytes: Uint8Array);
    static imports(module: Module): ModuleImportDescriptor[];
  }
  class Memory {
    readonly buffer: ArrayBuffer;
  }
  class Instance {
    readonly exports: Record<string, unknown>;
  }
  function instantiate(module: Module, imports?: Imports): Promise<Instance>;
}

export { useBackend } from './use-backend';
export type { BackendName, ModuleImporter, UseBackendOptions } from './use-backend';
export { activeBackendName } from './active-backend';
export type { ConcreteBackend } from './active-backend';
export { backendReport, formatBackendReport } from './backend-report';
export type { BackendReport } from './backend-report';
export { installKernelFixes, activeKernelFixes } from './install-kernel-fixes';
export { isWasmMatMulFixed } from './wasm-matmul';

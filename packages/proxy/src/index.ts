export { startProxy, type ProxyOptions, type RunningProxy } from './server/proxy-runtime.js';

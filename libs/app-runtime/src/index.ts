export { startNestApp } from './start-nest-app';
export { initLogging } from './init-logging';

/** The zero-drop rollout suite (rollout-suite.ts) with the userspace service proxy. */
import { rolloutSuite } from './rollout-suite.js';

rolloutSuite('userspace');

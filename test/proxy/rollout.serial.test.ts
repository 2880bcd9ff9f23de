/** The zero-drop rollout suite (rollout-suite.ts) with the nftables service proxy. */
import { rolloutSuite } from './rollout-suite.js';

rolloutSuite('nftables');

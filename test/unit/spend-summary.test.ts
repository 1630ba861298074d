import { spendScenarios } from '../scenarios/spend.scenarios';
import { memoryBackend } from '../support/world';

describe('spend at a glance (in-memory ports)', () => spendScenarios(memoryBackend));

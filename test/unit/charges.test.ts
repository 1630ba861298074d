import { chargesScenarios } from '../scenarios/charges.scenarios';
import { memoryBackend } from '../support/world';

describe('charges outside the write transaction (in-memory ports)', () => chargesScenarios(memoryBackend));

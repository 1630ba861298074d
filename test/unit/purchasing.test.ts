import { purchasingScenarios } from '../scenarios/purchasing.scenarios';
import { memoryBackend } from '../support/world';

describe('purchasing (in-memory ports)', () => purchasingScenarios(memoryBackend));

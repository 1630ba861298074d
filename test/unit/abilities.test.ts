import { abilitiesScenarios } from '../scenarios/abilities.scenarios';
import { memoryBackend } from '../support/world';

describe('what is possible, read and refused by the same rules (in-memory ports)', () => abilitiesScenarios(memoryBackend));

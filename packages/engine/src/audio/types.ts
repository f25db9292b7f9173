/** Behaviour state of the avatar; drives animation and the LITE `agent.state_updated` event. */
export type AgentState = 'idle' | 'listening' | 'talking';

package workflow

// The registers (red stewards, social organisations and their party organisations, venture
// projects, grid staffing, governance instructors, co-building partners, residents' records)
// hold a row that is current until it is ended: a current row may be changed or ended, an
// ended one neither.

// RegisterState is where a register row stands.
type RegisterState string

const (
	// RegisterCurrent: in force; may be changed or ended.
	RegisterCurrent RegisterState = "current"
	// RegisterEnded: ended on a day; final.
	RegisterEnded RegisterState = "ended"
)

// RegisterAction is a change of a register row.
type RegisterAction string

const (
	// RegisterCreate records a new row, current.
	RegisterCreate RegisterAction = "create"
	// RegisterUpdate changes a current row's fields.
	RegisterUpdate RegisterAction = "update"
	// RegisterEnd ends a current row.
	RegisterEnd RegisterAction = "end"
)

// registerMoves gives, for each action, the state it needs and the state it leaves.
var registerMoves = map[RegisterAction]struct{ from, to RegisterState }{
	RegisterUpdate: {RegisterCurrent, RegisterCurrent},
	RegisterEnd:    {RegisterCurrent, RegisterEnded},
}

// StateOf is the state of a row that ended on the day ended points to (nil: current).
func StateOf[T any](ended *T) RegisterState {
	if ended == nil {
		return RegisterCurrent
	}
	return RegisterEnded
}

// NextRegister gives the state action moves entity (a red steward, a venture project) from
// state to, or INVALID_TRANSITION naming the state it is in.
func NextRegister(entity string, state RegisterState, action RegisterAction) (RegisterState, error) {
	m, ok := registerMoves[action]
	if !ok || m.from != state {
		return state, refuse("a "+entity, string(action), string(state))
	}
	return m.to, nil
}

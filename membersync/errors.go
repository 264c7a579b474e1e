package membersync

import "errors"

var (
	// ErrTooManyRemovals is returned by Plan, wrapped with the numbers, when
	// the plan would remove more members than Options.MaxRemovals. Check the
	// desired list (an empty or truncated export looks like this), or raise
	// MaxRemovals.
	ErrTooManyRemovals = errors.New("membersync: the plan would remove more members than Options.MaxRemovals allows")

	// ErrNoAdmin is returned by Plan, wrapped with the details, when the plan
	// would remove or demote every member who holds Options.AdminRole today
	// while giving that role to nobody. An organization without an admin
	// today is not an error.
	ErrNoAdmin = errors.New("membersync: the plan would leave the organization without an admin")
)

package membersync

import "errors"

var (
	// ErrTooManyRemovals is returned by Plan, wrapped with the numbers, when
	// the plan would remove more members than Options.MaxRemovals allows
	// (DefaultMaxRemovals when it is 0). Check the desired list (an empty or
	// truncated export looks like this), or raise Options.MaxRemovals.
	ErrTooManyRemovals = errors.New("membersync: the plan would remove more members than Options.MaxRemovals allows")

	// ErrNoAdmin is returned by Plan, wrapped with the details, when the plan
	// would remove or demote every member who holds an admin role today (see
	// Options.AdminRoles) while giving an admin role to nobody. An
	// organization without an admin today is not an error.
	ErrNoAdmin = errors.New("membersync: the plan would leave the organization without an admin")

	// ErrStalePlan is wrapped by the Result of a change whose membership
	// changed after Plan read it (it appeared or went away, or its role or
	// updated_at differs): another writer got there in between, so Apply sent
	// nothing for this change rather than overwrite what that writer did.
	// Plan again to see the membership as it is now.
	ErrStalePlan = errors.New("the membership changed after Plan read it")

	// ErrNotStarted is wrapped by the Result of a change that was never sent:
	// the context was done before its turn (the Result then wraps ctx.Err()
	// too), Apply could not read the memberships before sending anything
	// (it wraps that error too), or a change it depends on failed, such as
	// the promotion of the admin who was to replace one being removed (that
	// failure is in the other change's Result). Plan again to retry it.
	ErrNotStarted = errors.New("not started")

	// ErrOutcomeUnknown is wrapped by the Result of a change whose request
	// was sent but whose answer was lost (the connection dropped, or the
	// call was aborted after the grace that follows a cancel), and whose
	// membership, read back, did not show the change or could not be read.
	// The change may still take effect; plan again to find out.
	ErrOutcomeUnknown = errors.New("outcome unknown")
)

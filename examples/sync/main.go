// Command sync makes an organization's memberships match a desired list, as
// a job that syncs from an HR system or an identity provider does: it
// plans, prints the plan and, with -apply, applies it with a live progress
// line.
//
//	go run ./examples/sync                          # plan against an embedded fake Clerk
//	go run ./examples/sync -apply                   # ... and apply the plan
//	go run ./examples/sync -desired members.csv     # plan from a CSV file
//
// Without CLERK_SECRET_KEY it runs against an embedded clerktest server
// seeded with a 40-member organization, and plans toward a built-in list
// unless -desired names a file. There user IDs are random, so the plan shows
// usernames in their place, and the CSV's user_id column and -keep may hold
// a seeded username such as grace.hopper.
//
// With CLERK_SECRET_KEY set it talks to the real API (CLERK_API_URL
// overrides the base URL), and needs -org and -desired:
//
//	CLERK_SECRET_KEY=sk_... go run ./examples/sync -org org_123 -desired members.csv -apply
//
// The CSV holds user_id,role[,public_metadata_json] rows; a header row is
// optional, and lines starting with # are comments. The JSON, when present,
// must be an object and is what the public metadata is made equal to; quote
// the field as CSV does: user_2x,org:member,"{""team"":""core""}".
//
// The file may start with a UTF-8 byte-order mark, as Excel's "CSV UTF-8"
// writes it.
//
// Members not listed are removed (turn that off with -prune=false), but
// never more than -max-removals (10 by default; -1 for no limit), never the
// users listed with -keep, and never the last admin.
//
// It exits 0 when the plan was made (and applied, with -apply), 1 when
// something failed, and 2 when the flags are wrong.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/clerkkit/clerk-go/membersync"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(cli(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// cli runs the command and returns its exit code: 0 for success and for -h,
// 2 for wrong flags, 1 for any other error, which it prints to stderr.
func cli(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	err := run(ctx, args, stdout, stderr)
	var usage usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &usage):
		if !usage.printed {
			fmt.Fprintln(stderr, "sync:", err)
		}
		return 2
	}
	fmt.Fprintln(stderr, "sync:", err)
	return 1
}

// usageError is a mistake in the flags; printed says whether package flag
// has already shown it, with the usage.
type usageError struct {
	err     error
	printed bool
}

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// config is what the flags say.
type config struct {
	desired     string
	org         string
	apply       bool
	prune       bool
	maxRemovals int
	concurrency int
	keep        []string
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &config{}
	fs.StringVar(&c.desired, "desired", "", "CSV `file` of user_id,role[,public_metadata_json] rows (default: a built-in list, embedded server only)")
	fs.StringVar(&c.org, "org", "", "organization `ID` to sync; required with CLERK_SECRET_KEY")
	fs.BoolVar(&c.apply, "apply", false, "apply the plan instead of only printing it")
	fs.BoolVar(&c.prune, "prune", true, "remove members who are not listed")
	fs.IntVar(&c.maxRemovals, "max-removals", membersync.DefaultMaxRemovals, "refuse a plan that removes more members than `n` (-1: no limit)")
	fs.IntVar(&c.concurrency, "concurrency", membersync.DefaultConcurrency, "changes sent at once")
	fs.Func("keep", "comma-separated user `IDs` never removed or changed (may repeat)", func(v string) error {
		for _, id := range strings.Split(v, ",") {
			if id = strings.TrimSpace(id); id != "" {
				c.keep = append(c.keep, id)
			}
		}
		return nil
	})
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usageError{err: err, printed: true}
	}
	switch {
	case fs.NArg() > 0:
		return nil, usageError{err: fmt.Errorf("unexpected argument %q; see -h", fs.Arg(0))}
	case c.maxRemovals == 0:
		return nil, usageError{err: errors.New("-max-removals 0 would refuse every removal; to remove nobody, use -prune=false")}
	case c.concurrency < 1:
		return nil, usageError{err: fmt.Errorf("-concurrency %d: give a positive number", c.concurrency)}
	}
	return c, nil
}

// flagNames turns the names of membersync's options in its errors into the
// flags that set them, so that an error names what the user typed.
var flagNames = strings.NewReplacer(
	"Options.MaxRemovals", "-max-removals",
	"Options.Keep", "-keep",
	"Options.Concurrency", "-concurrency",
	"Options.Prune", "-prune",
)

// target is where the sync runs: the organization, the client, the desired
// list, and how to show user IDs.
type target struct {
	client  *clerk.Client
	org     string
	desired []membersync.Member
	keep    []string
	show    func(string) string // replaces user IDs by something readable
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	var t *target
	if os.Getenv("CLERK_SECRET_KEY") != "" {
		t, err = realTarget(cfg)
	} else {
		var cleanup func()
		t, cleanup, err = embeddedTarget(ctx, cfg, stdout)
		if cleanup != nil {
			defer cleanup()
		}
	}
	if err != nil {
		return err
	}

	bar := &progress{w: stderr}
	s := membersync.New(t.client, membersync.Options{
		Prune: cfg.prune, MaxRemovals: cfg.maxRemovals, Keep: t.keep, Concurrency: cfg.concurrency, Progress: bar.update,
	})
	explain := func(err error) error { return errors.New(flagNames.Replace(t.show(err.Error()))) }
	plan, err := s.Plan(ctx, t.org, t.desired)
	if err != nil {
		return explain(err)
	}
	fmt.Fprintln(stdout, t.show(plan.String()))
	fmt.Fprintf(stdout, "%d already as desired\n", plan.Unchanged)
	if plan.Empty() {
		fmt.Fprintln(stdout, "nothing to do")
		return nil
	}
	if !cfg.apply {
		fmt.Fprintln(stdout, "run again with -apply to apply it")
		return nil
	}

	bar.begin(len(plan.Changes))
	report, applyErr := s.Apply(ctx, plan)
	bar.done()
	fmt.Fprintf(stdout, "applied %d of %d changes, %d failed\n", report.Applied, len(report.Results), report.Failed)
	if applyErr != nil {
		return fmt.Errorf("some changes failed or were not sent; plan again to retry them:\n%w", explain(applyErr))
	}
	again, err := s.Plan(ctx, t.org, t.desired)
	if err != nil {
		return explain(err)
	}
	fmt.Fprintf(stdout, "planning again: %s\n", again.String())
	return nil
}

// realTarget uses the real API.
func realTarget(cfg *config) (*target, error) {
	if cfg.org == "" || cfg.desired == "" {
		return nil, errors.New("with CLERK_SECRET_KEY set, give the organization with -org and the desired list with -desired")
	}
	client, err := clerk.NewClientFromEnv(clerk.WithUserAgent("clerk-go-example-sync"))
	if err != nil {
		return nil, err
	}
	desired, err := readDesired(cfg.desired, nil)
	if err != nil {
		return nil, err
	}
	return &target{client: client, org: cfg.org, desired: desired, keep: cfg.keep, show: func(s string) string { return s }}, nil
}

// progress draws a line such as "  12/40 changes  9.8/s  ETA 3s" on w,
// overwriting it with \r after each change.
type progress struct {
	w          io.Writer
	total, n   int
	start      time.Time
	lastLength int
}

// begin starts counting toward total changes.
func (p *progress) begin(total int) {
	p.total, p.n, p.start = total, 0, time.Now()
}

// update is the Options.Progress callback; membersync never calls it twice
// at once.
func (p *progress) update(membersync.Result) {
	p.n++
	elapsed := time.Since(p.start).Seconds()
	rate := float64(p.n) / max(elapsed, 1e-3)
	eta := time.Duration(float64(p.total-p.n) / rate * float64(time.Second)).Round(time.Second)
	line := fmt.Sprintf("  %d/%d changes  %.1f/s  ETA %s", p.n, p.total, rate, eta)
	pad := strings.Repeat(" ", max(p.lastLength-len(line), 0))
	p.lastLength = len(line)
	fmt.Fprint(p.w, "\r"+line+pad)
}

func (p *progress) done() {
	if p.n > 0 {
		fmt.Fprintln(p.w)
	}
}

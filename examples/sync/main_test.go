package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/clerkkit/clerk-go/clerktest"
	"github.com/clerkkit/clerk-go/membersync"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// embedded makes run use the embedded server whatever the environment.
func embedded(t *testing.T) {
	t.Setenv("CLERK_SECRET_KEY", "")
}

func TestSyncPlansTheBuiltInListAgainstTheEmbeddedServer(t *testing.T) {
	embedded(t)
	var out, errOut bytes.Buffer
	require.NoError(t, run(context.Background(), nil, &out, &errOut))

	// Within a group, changes are in username order, on every run.
	assert.Equal(t, ""+
		"embedded fake Clerk: organization Acme Robotics, 40 members; user IDs shown as usernames\n"+
		"~ set role of barbara.liskov: org:member -> org:admin\n"+
		"- remove fran.bilas (org:member)\n"+
		"- remove kathleen.booth (org:member)\n"+
		"~ set role of alan.turing: org:admin -> org:member\n"+
		"+ add anders.hejlsberg as org:member\n"+
		"+ add bjarne.stroustrup as org:member (public_metadata sets team)\n"+
		"+ add james.gosling as org:member (public_metadata sets team)\n"+
		"~ set metadata of guido.vanrossum: public_metadata sets team\n"+
		"~ set metadata of len.adleman: public_metadata sets team\n"+
		"~ set metadata of radia.perlman: public_metadata sets team\n"+
		"3 to add, 5 to change, 2 to remove\n"+
		"33 already as desired\n"+
		"run again with -apply to apply it\n", out.String())
	assert.Empty(t, errOut.String())
}

func TestSyncPrintsTheSamePlanOnEveryRun(t *testing.T) {
	embedded(t)
	var first bytes.Buffer
	require.NoError(t, run(context.Background(), nil, &first, &bytes.Buffer{}))
	for range 5 {
		var again bytes.Buffer
		require.NoError(t, run(context.Background(), nil, &again, &bytes.Buffer{}))
		require.Equal(t, first.String(), again.String())
	}
}

func TestSyncAppliesWithAProgressLineAndConverges(t *testing.T) {
	embedded(t)
	var out, errOut bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-apply", "-concurrency", "3"}, &out, &errOut))

	assert.Contains(t, out.String(), "\n3 to add, 5 to change, 2 to remove\n33 already as desired\n"+
		"applied 10 of 10 changes, 0 failed\n"+
		"planning again: 0 to add, 0 to change, 0 to remove\n")
	progress := errOut.String()
	assert.Equal(t, 10, strings.Count(progress, "\r"), "one redraw per change")
	assert.Regexp(t, `\r  10/10 changes  [0-9.]+/s  ETA 0s *\n$`, progress)
	assert.Contains(t, progress, "\r  1/10 changes  ")
}

func TestSyncRefusesMoreRemovalsThanAllowed(t *testing.T) {
	embedded(t)
	err := run(context.Background(), []string{"-max-removals", "1"}, &bytes.Buffer{}, &bytes.Buffer{})
	require.EqualError(t, err, "membersync: the plan would remove more members than -max-removals allows: "+
		"it would remove 2 members and -max-removals allows 1; check that the desired list is complete, or raise -max-removals (a negative value means no limit)")
	assert.NotContains(t, err.Error(), "Options.", "errors name the flags typed, not Go options")
}

func TestSyncReadsACSVWithAHeaderAndUsernames(t *testing.T) {
	embedded(t)
	path := writeFile(t, "members.csv", ""+
		"user_id,role,public_metadata_json\n"+
		"# the two people who stay\n"+
		"ada.lovelace,org:admin\n"+
		"grace.hopper, org:admin, \"{\"\"team\"\":\"\"compilers\"\",\"\"since\"\":1952}\"\n")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-desired", path, "-max-removals", "40"}, &out, &bytes.Buffer{}))

	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	assert.Equal(t, "~ set metadata of grace.hopper: public_metadata sets since", lines[len(lines)-4])
	assert.Equal(t, "0 to add, 1 to change, 38 to remove", lines[len(lines)-3])
	assert.Equal(t, "1 already as desired", lines[len(lines)-2])
}

func TestSyncNamesTheLineOfABadCSVRow(t *testing.T) {
	tests := []struct {
		name, csv, err string
	}{
		{"a row with one field", "user_id,role\nada.lovelace,org:admin\n\nbob\n",
			"members.csv:4: want user_id,role[,public_metadata_json], got 1 fields"},
		{"a row with too many fields", "a,org:member,{},x\n",
			"members.csv:1: want user_id,role[,public_metadata_json], got 4 fields"},
		{"an empty role", "ada,org:admin\nbob, \n",
			"members.csv:2: role is empty"},
		{"an empty user ID", "ada,org:admin\n,org:member\n",
			"members.csv:2: user_id is empty"},
		{"metadata that is not JSON", "ada,org:admin\n# ok so far\nbob,org:member,\"{team: core}\"\n",
			"members.csv:3: public_metadata_json is not a JSON object: invalid character 't' looking for beginning of object key string"},
		{"metadata that is an array", "bob,org:member,\"[1]\"\n",
			"members.csv:1: public_metadata_json is not a JSON object: json: cannot unmarshal array into Go value of type map[string]interface {}"},
		{"metadata followed by more", "bob,org:member,\"{} {}\"\n",
			"members.csv:1: public_metadata_json is not a JSON object: data after the object"},
		{"unquoted JSON", "ada,org:admin\nbob,org:member,{\"team\":\"core\"}\n",
			`members.csv:2: bare " in non-quoted-field (quote a JSON field as CSV does: "{""team"":""core""}")`},
		{"a user listed twice", "ada,org:admin\nbob,org:member\nada,org:member\n",
			"members.csv:3: ada is listed again (first on line 1)"},
	}
	for _, tt := range tests {
		t.Run("the error names the line of "+tt.name, func(t *testing.T) {
			_, err := parseDesired(strings.NewReader(tt.csv), "members.csv", nil)
			require.EqualError(t, err, tt.err)
		})
	}
}

func TestSyncReportsABadCSVFileBeforeSendingAnything(t *testing.T) {
	embedded(t)
	path := writeFile(t, "members.csv", "ada.lovelace,org:admin\ngrace.hopper\n")
	err := run(context.Background(), []string{"-desired", path}, &bytes.Buffer{}, &bytes.Buffer{})
	require.EqualError(t, err, path+":2: want user_id,role[,public_metadata_json], got 1 fields")
}

func TestSyncWithAKeyNeedsTheOrganizationAndTheList(t *testing.T) {
	t.Setenv("CLERK_SECRET_KEY", "sk_test_x")
	err := run(context.Background(), []string{"-org", "org_1"}, &bytes.Buffer{}, &bytes.Buffer{})
	require.EqualError(t, err, "with CLERK_SECRET_KEY set, give the organization with -org and the desired list with -desired")
}

func TestSyncWithAKeyTalksToTheAPIItIsPointedAt(t *testing.T) {
	srv := clerktest.NewServer()
	defer srv.Close()
	org := srv.AddOrganization("Real-ish")
	ada, bob := srv.AddUser(clerktest.User{Username: "ada"}), srv.AddUser(clerktest.User{Username: "bob"})
	srv.AddMembership(org, ada, clerktest.RoleAdmin)
	t.Setenv("CLERK_SECRET_KEY", srv.SecretKey)
	t.Setenv("CLERK_API_URL", srv.URL)
	path := writeFile(t, "members.csv", ada+",org:admin\n"+bob+",org:member,\"{\"\"team\"\":\"\"core\"\"}\"\n")

	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-org", org, "-desired", path, "-apply"}, &out, &bytes.Buffer{}))
	assert.Equal(t, ""+
		"+ add "+bob+" as org:member (public_metadata sets team)\n"+
		"1 to add, 0 to change, 0 to remove\n"+
		"1 already as desired\n"+
		"applied 1 of 1 changes, 0 failed\n"+
		"planning again: 0 to add, 0 to change, 0 to remove\n", out.String())
	page, _, err := srv.Client().OrganizationMemberships.List(context.Background(), org,
		&clerk.ListOrganizationMembershipsParams{UserIDs: []string{bob}})
	require.NoError(t, err)
	require.Len(t, page.Data, 1)
	assert.JSONEq(t, `{"team":"core"}`, string(page.Data[0].PublicMetadata))
}

func writeFile(t *testing.T, name, content string) string {
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func TestSyncWithoutAKeyRefusesAnOrganization(t *testing.T) {
	embedded(t)
	err := run(context.Background(), []string{"-org", "org_1"}, &bytes.Buffer{}, &bytes.Buffer{})
	require.EqualError(t, err, "-org needs CLERK_SECRET_KEY; the embedded server has its own organization")
}

func TestSyncReadsACSVSavedByExcelWithAByteOrderMark(t *testing.T) {
	embedded(t)
	path := writeFile(t, "members.csv", "\ufeffuser_id,role\r\nada.lovelace,org:admin\r\ngrace.hopper,org:admin\r\n")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-desired", path, "-max-removals", "-1"}, &out, &bytes.Buffer{}))
	assert.NotContains(t, out.String(), "user_id", "the header is not taken for a member")
	assert.Contains(t, out.String(), "\n0 to add, 0 to change, 38 to remove\n2 already as desired\n")

	members, err := parseDesired(strings.NewReader("\ufeffuser_id,role\nada,org:admin\n"), "members.csv", nil)
	require.NoError(t, err)
	assert.Equal(t, []membersync.Member{{UserID: "ada", Role: "org:admin"}}, members)
	members, err = parseDesired(strings.NewReader("\ufeffada,org:admin\n"), "members.csv", nil)
	require.NoError(t, err)
	assert.Equal(t, []membersync.Member{{UserID: "ada", Role: "org:admin"}}, members, "a mark before a first row that is not a header")
}

func TestSyncNamesTheKeepFlagWhenThePlanWouldLeaveNoAdmin(t *testing.T) {
	embedded(t)
	path := writeFile(t, "members.csv", "ada.lovelace,org:member\nalan.turing,org:member\ngrace.hopper,org:member\n")
	var errOut bytes.Buffer
	code := cli(context.Background(), []string{"-desired", path, "-prune=false"}, &bytes.Buffer{}, &errOut)
	assert.Equal(t, 1, code)
	assert.Equal(t, "sync: membersync: the plan would leave the organization without an admin: it removes or demotes every admin "+
		"(ada.lovelace, alan.turing, grace.hopper) and makes nobody an admin (admin roles: org:admin); "+
		"keep one of them, give an admin role to another user, or list one in -keep\n", errOut.String())
}

func TestSyncKeepsTheUsersGivenWithKeep(t *testing.T) {
	embedded(t)
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-keep", "fran.bilas, alan.turing", "-keep", "radia.perlman"}, &out, &bytes.Buffer{}))
	assert.Contains(t, out.String(), "- remove kathleen.booth (org:member)\n")
	for _, kept := range []string{"fran.bilas", "alan.turing", "radia.perlman"} {
		assert.NotContains(t, out.String(), kept)
	}
	assert.Contains(t, out.String(), "\n3 to add, 3 to change, 1 to remove\n")
}

func TestSyncExitCodes(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string // a part of it
	}{
		{"-h prints the usage and exits 0", []string{"-h"}, 0, "Usage of sync:"},
		{"an unknown flag exits 2", []string{"-nope"}, 2, "flag provided but not defined: -nope"},
		{"an argument exits 2", []string{"members.csv"}, 2, "sync: unexpected argument \"members.csv\"; see -h\n"},
		{"-max-removals 0 exits 2 and says how to remove nobody", []string{"-max-removals", "0"}, 2,
			"sync: -max-removals 0 would refuse every removal; to remove nobody, use -prune=false\n"},
		{"-concurrency 0 exits 2", []string{"-concurrency", "0"}, 2, "sync: -concurrency 0: give a positive number\n"},
		{"a plan refused exits 1", []string{"-max-removals", "1"}, 1, "sync: membersync: the plan would remove more members than -max-removals allows"},
		{"a plan made exits 0", nil, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			embedded(t)
			var errOut bytes.Buffer
			assert.Equal(t, tt.code, cli(context.Background(), tt.args, &bytes.Buffer{}, &errOut))
			if tt.stderr == "" {
				assert.Empty(t, errOut.String())
				return
			}
			assert.Contains(t, errOut.String(), tt.stderr)
		})
	}
}

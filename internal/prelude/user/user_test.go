package user_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/entrypoint/entrypoint/internal/exitcode"
	"github.com/entrypoint/entrypoint/internal/prelude/user"
)

const passwd = `root:x:0:0:root:/root:/bin/bash
# a comment

+nis::0:0:::
app:x:1000:1000:App,,,:/home/app:/bin/sh
nohome:x:1001:1001::
broken:x:notanumber:1
short:x
web:x:33:33:www-data:/var/www:/usr/sbin/nologin
`

const group = `root:x:0:
app:x:1000:
staff:x:50:app,web
docker:x:999:web,app
audio:x:29:web
dup:x:1000:app
broken:x:nan:app
`

// rootDir makes a root directory holding etc/passwd and etc/group.
func rootDir(t testing.TB, passwd, group string) string {
	t.Helper()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"passwd": passwd, "group": group} {
		if err := os.WriteFile(filepath.Join(root, "etc", name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func ExampleLookup() {
	empty, _ := os.MkdirTemp("", "scratch") // a FROM scratch image: no /etc at all
	defer os.RemoveAll(empty)

	u, err := user.Lookup("65532:65532", empty)
	fmt.Printf("%+v %v\n", u, err)
	fmt.Printf("%+v\n", *u.Credential())
	_, err = user.Lookup("app", empty)
	fmt.Println(exitcode.Of(err), strings.ReplaceAll(err.Error(), empty, "ROOT"))
	// Output:
	// {Name: Uid:65532 Gid:65532 Groups:[65532] Home:/} <nil>
	// {Uid:65532 Gid:65532 Groups:[65532] NoSetGroups:false}
	// 78 user "app": open ROOT/etc/passwd: no such file or directory
}

func ExampleCanDrop() {
	fmt.Println(user.CanDrop(0))
	err := user.CanDrop(1000)
	fmt.Println(exitcode.Of(err), err)
	// Output:
	// <nil>
	// 1 --user needs root: entrypoint runs as uid 1000
}

func TestLookup(t *testing.T) {
	root := rootDir(t, passwd, group)
	tests := []struct{ spec, want string }{
		{"app", "{Name:app Uid:1000 Gid:1000 Groups:[1000 50 999] Home:/home/app}"},
		{"1000", "{Name:app Uid:1000 Gid:1000 Groups:[1000 50 999] Home:/home/app}"},
		{"app:staff", "{Name:app Uid:1000 Gid:50 Groups:[50 999 1000] Home:/home/app}"},
		{"app:4242", "{Name:app Uid:1000 Gid:4242 Groups:[4242 50 999 1000] Home:/home/app}"},
		{"web:0", "{Name:web Uid:33 Gid:0 Groups:[0 50 999 29] Home:/var/www}"},
		{"root", "{Name:root Uid:0 Gid:0 Groups:[0] Home:/root}"},
		{"nohome", "{Name:nohome Uid:1001 Gid:1001 Groups:[1001] Home:/}"},
		{"4000", "{Name: Uid:4000 Gid:0 Groups:[0] Home:/}"},
		{"4000:docker", "{Name: Uid:4000 Gid:999 Groups:[999] Home:/}"},
		{"0:0", "{Name:root Uid:0 Gid:0 Groups:[0] Home:/root}"},
		{"4294967294:1", "{Name: Uid:4294967294 Gid:1 Groups:[1] Home:/}"},
	}
	for _, tt := range tests {
		u, err := user.Lookup(tt.spec, root)
		if got := fmt.Sprintf("%+v", u); err != nil || got != tt.want {
			t.Errorf("Lookup(%q) = %s, %v; want %s", tt.spec, got, err, tt.want)
		}
	}
}

func TestLookupErrors(t *testing.T) {
	root := rootDir(t, passwd, group)
	noFiles := t.TempDir()
	tests := []struct{ spec, root, want string }{
		{"nobody", root, `user "nobody": no user "nobody" in ` + root + "/etc/passwd"},
		{"app:wheel", root, `user "app:wheel": no group "wheel" in ` + root + "/etc/group"},
		{"broken", root, `no user "broken"`},
		{"nis", root, `no user "nis"`},
		{"+nis", root, `no user "+nis"`},
		{"", root, "want NAME|UID[:GROUP|:GID]"},
		{":1", root, "want NAME|UID[:GROUP|:GID]"},
		{"app:", root, "want NAME|UID[:GROUP|:GID]"},
		{"a:b:c", root, "want NAME|UID[:GROUP|:GID]"},
		{"4294967295", root, "id 4294967295 out of range"},
		{"1:99999999999", root, "id 99999999999 out of range"},
		{"app", noFiles, "open " + noFiles + "/etc/passwd: no such file or directory"},
		{"1:staff", noFiles, "open " + noFiles + "/etc/group: no such file or directory"},
	}
	for _, tt := range tests {
		_, err := user.Lookup(tt.spec, tt.root)
		if err == nil || !strings.Contains(err.Error(), tt.want) || exitcode.Of(err) != exitcode.Config {
			t.Errorf("Lookup(%q) = %v; want 78 and %q", tt.spec, err, tt.want)
		}
	}
}

func TestCredentialIsACopy(t *testing.T) {
	u := user.User{Uid: 1, Gid: 2, Groups: []uint32{2, 3}}
	c := u.Credential()
	c.Groups[0] = 99
	if !slices.Equal(u.Groups, []uint32{2, 3}) || c.Uid != 1 || c.Gid != 2 {
		t.Errorf("u = %+v, c = %+v", u, c)
	}
}

func FuzzLookup(f *testing.F) {
	for _, seed := range []string{"app", "1000", "app:staff", "1000:1000", "app:50", ":", "a:b:c", "-1", "4294967295", "+nis", "0:"} {
		f.Add(seed)
	}
	root := rootDir(f, passwd, group)
	f.Fuzz(func(t *testing.T, spec string) {
		u, err := user.Lookup(spec, root)
		if err != nil {
			if exitcode.Of(err) != exitcode.Config {
				t.Fatalf("Lookup(%q): exit code %d", spec, exitcode.Of(err))
			}
			return
		}
		if len(u.Groups) == 0 || u.Groups[0] != u.Gid || u.Home == "" {
			t.Fatalf("Lookup(%q) = %+v", spec, u)
		}
	})
}

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"reflect"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// The tests run a real PostgreSQL server from the Debian packages that
// `make postgres` extracts into the repository's .cache/postgres. They fail,
// never skip, without it: CI runs make unit, which installs it first.

// installRoot is where make postgres puts the server, from this package.
const installRoot = "../../../.cache/postgres"

// pgBin is the server's bin directory inside an install.
const pgBin = "usr/lib/postgresql/15/bin"

// pgInstall is a usable install: its directory, its library path and, when
// the tests run as root (which postgres refuses), the user it runs as.
type pgInstall struct {
	dir  string
	libs string
	cred *syscall.Credential // nil: run as ourselves
	tmp  string              // a copy made for cred, removed by cleanup
}

var (
	installOnce sync.Once
	install     *pgInstall
	installErr  error
)

// findInstall locates the server and prepares it to run.
func findInstall() (*pgInstall, error) {
	installOnce.Do(func() { install, installErr = prepareInstall() })
	return install, installErr
}

func prepareInstall() (*pgInstall, error) {
	dir, err := filepath.Abs(installRoot)
	if err != nil {
		return nil, err
	}
	for _, b := range []string{"postgres", "initdb", "pg_ctl"} {
		if _, err := os.Stat(filepath.Join(dir, pgBin, b)); err != nil {
			return nil, fmt.Errorf("PostgreSQL server not installed (%v): run make postgres", err)
		}
	}
	in := &pgInstall{dir: dir}
	if os.Geteuid() == 0 {
		uid, gid := uint32(65534), uint32(65534)
		if u, err := user.Lookup("nobody"); err == nil {
			if n, err := strconv.ParseUint(u.Uid, 10, 32); err == nil {
				uid = uint32(n)
			}
			if n, err := strconv.ParseUint(u.Gid, 10, 32); err == nil {
				gid = uint32(n)
			}
		}
		in.cred = &syscall.Credential{Uid: uid, Gid: gid}
		// The repository may sit where nobody cannot reach (under /root):
		// then run a copy from a world-readable temporary directory.
		if in.run("postgres", "--version") != nil {
			tmp, err := os.MkdirTemp("", "jtpg-install")
			if err != nil {
				return nil, err
			}
			if err := os.Chmod(tmp, 0o755); err != nil {
				return nil, err
			}
			if err := copyTree(dir, tmp); err != nil {
				os.RemoveAll(tmp)
				return nil, fmt.Errorf("copy the PostgreSQL install for user %d: %w", uid, err)
			}
			in.dir, in.tmp = tmp, tmp
		}
	}
	in.libs = filepath.Join(in.dir, "usr/lib/x86_64-linux-gnu") + ":" + filepath.Join(in.dir, "lib/x86_64-linux-gnu")
	if err := in.run("postgres", "--version"); err != nil {
		return nil, fmt.Errorf("PostgreSQL server in %s does not run (%v): run make postgres", dir, err)
	}
	return in, nil
}

func (in *pgInstall) cleanup() {
	if in != nil && in.tmp != "" {
		os.RemoveAll(in.tmp)
	}
}

// command is one of the server's programs, run with its libraries, as the
// install's user, killed if the test binary dies.
func (in *pgInstall) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(in.dir, pgBin, name), args...)
	cmd.Env = []string{"LD_LIBRARY_PATH=" + in.libs, "LC_ALL=C", "PATH=/usr/bin:/bin"}
	cmd.SysProcAttr = childProcAttr()
	cmd.SysProcAttr.Credential = in.cred
	return cmd
}

func (in *pgInstall) run(name string, args ...string) error {
	if out, err := in.command(name, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("%s %v: %w\n%s", name, args, err, out)
	}
	return nil
}

// childProcAttr makes a child die with the test binary: on Linux it sets
// Pdeathsig (as host/e2e does), so a test binary killed by its -timeout
// leaves no server behind (its backends notice that the postmaster died and
// exit). Go sets it after switching to Credential, which would otherwise
// clear it.
func childProcAttr() *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{}
	if f := reflect.ValueOf(attr).Elem().FieldByName("Pdeathsig"); f.IsValid() && f.CanSet() {
		f.Set(reflect.ValueOf(syscall.SIGKILL).Convert(f.Type()))
	}
	return attr
}

// copyTree copies the regular files, directories and symbolic links of src
// into dst, keeping modes.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		to := filepath.Join(dst, rel)
		info, err := os.Lstat(path)
		if err != nil {
			return err
		}
		switch {
		case rel == ".":
			return nil
		case d.IsDir():
			return os.Mkdir(to, info.Mode().Perm()|0o555)
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(target, to)
		default:
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			return os.WriteFile(to, b, info.Mode().Perm()|0o444)
		}
	})
}

// pgServer is a throwaway PostgreSQL server listening on a unix socket
// only: its data directory and socket are in one temporary directory (a
// short path: a socket's path must fit in 107 bytes).
type pgServer struct {
	in   *pgInstall
	base string // the temporary directory: data/ and the socket
	data string
	port int

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	log    *lockedBuffer
}

// lockedBuffer is the server's log: written by exec's copying goroutine,
// read by the tests.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// dsn connects to the server's postgres database.
func (s *pgServer) dsn() string {
	return fmt.Sprintf("host=%s port=%d user=jtchain dbname=postgres sslmode=disable", s.base, s.port)
}

// startServer runs initdb into a new directory and starts a server on it.
func startServer() (*pgServer, error) {
	in, err := findInstall()
	if err != nil {
		return nil, err
	}
	base, err := os.MkdirTemp("", "jtpg")
	if err != nil {
		return nil, err
	}
	s := &pgServer{in: in, base: base, data: filepath.Join(base, "data"), port: 5432}
	if in.cred != nil {
		if err := os.Chown(base, int(in.cred.Uid), int(in.cred.Gid)); err != nil {
			os.RemoveAll(base)
			return nil, err
		}
	}
	// --no-sync: the template files need not reach the disk of a throwaway
	// directory; the server itself runs with fsync=on.
	if err := in.run("initdb", "-D", s.data, "-U", "jtchain", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		os.RemoveAll(base)
		return nil, err
	}
	if err := s.start(); err != nil {
		s.stop()
		os.RemoveAll(base)
		return nil, err
	}
	return s, nil
}

// start starts the server on its data directory and waits until it takes
// connections.
func (s *pgServer) start() error {
	cmd := s.in.command("postgres", "-D", s.data, "-k", s.base, "-p", strconv.Itoa(s.port),
		"-c", "listen_addresses=", "-c", "fsync=on", "-c", "jit=off", "-c", "max_connections=50")
	log := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	s.mu.Lock()
	s.cmd, s.exited, s.log = cmd, exited, log
	s.mu.Unlock()

	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		c, err := pgx.Connect(ctx, s.dsn())
		cancel()
		if err == nil {
			c.Close(context.Background())
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("postgres exited during start:\n%s", s.logs())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres did not take connections in 30s (%v):\n%s", err, s.logs())
		}
	}
}

// stop shuts the server down (fast: sessions are ended, what is committed
// stays) with pg_ctl and waits until the server process is gone, killing
// it if it does not go.
func (s *pgServer) stop() {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = s.in.run("pg_ctl", "stop", "-D", s.data, "-m", "fast", "-w", "-t", "20")
	select {
	case <-exited:
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
	}
	s.mu.Lock()
	s.cmd = nil
	s.mu.Unlock()
}

// signal sends sig to the server and its backends: the postmaster and
// each of its children (each backend is in a session of its own, so the
// postmaster's process group is not enough).
func (s *pgServer) signal(sig syscall.Signal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return errors.New("server not running")
	}
	pid := s.cmd.Process.Pid
	pids := []int{pid}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // gone
		}
		// pid (comm) state ppid ...: comm may hold spaces, so after the last ")".
		var state string
		var child, ppid int
		if i := bytes.LastIndexByte(b, ')'); i > 0 {
			fmt.Sscanf(string(b[:bytes.IndexByte(b, ' ')]), "%d", &child)
			fmt.Sscanf(string(b[i+1:]), " %s %d", &state, &ppid)
		}
		if ppid == pid {
			pids = append(pids, child)
		}
	}
	for _, p := range pids {
		if err := syscall.Kill(p, sig); err != nil && p == pid {
			return err
		}
	}
	return nil
}

// close stops the server and removes its directory.
func (s *pgServer) close() {
	s.stop()
	os.RemoveAll(s.base)
}

func (s *pgServer) logs() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.log == nil {
		return ""
	}
	return s.log.String()
}

// newServer starts a server for t alone, stopped when t ends.
func newServer(t testing.TB) *pgServer {
	t.Helper()
	s, err := startServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("postgres log:\n%s", s.logs())
		}
		s.close()
	})
	return s
}

// exec runs sql on the server as its superuser.
func (s *pgServer) exec(t testing.TB, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, s.dsn())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// config is the plugin config for schema on s.
func (s *pgServer) config(schema string) []byte {
	return fmt.Appendf(nil, `{"dsn": %q, "schema": %q}`, s.dsn(), schema)
}

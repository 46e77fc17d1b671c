//go:build unix

// Package pgtest runs throwaway PostgreSQL servers for tests: the postgres
// indexer plugin's own and the node's end-to-end tests.
//
// The server comes from the Debian packages that `make postgres` extracts
// into the repository's .cache/postgres. Without them a test fails, never
// skips: CI installs them first. When the tests run as root, which postgres
// refuses, the server runs as user nobody, from a world-readable copy of the
// install if nobody cannot read the repository (under /root, say); the copy
// is removed when the last server using it closes. A server listens on a
// unix socket in a temporary directory of its own only, and dies with the
// test binary.
package pgtest

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

// InstallPath is where `make postgres` puts the server, relative to the
// repository root.
const InstallPath = ".cache/postgres"

// binDir is the server's bin directory inside an install.
const binDir = "usr/lib/postgresql/15/bin"

// port is the server's port: the socket's name, in a directory of its own.
const port = 5432

// logTail is how much of a server's log NewServer logs when its test fails.
const logTail = 16000

// install is a usable install: its directory, its library path and, when
// the tests run as root, the user the server runs as.
type install struct {
	dir  string
	libs string
	cred *syscall.Credential // nil: run as ourselves
	tmp  string              // a copy made for cred, removed with the last server
}

var (
	installMu sync.Mutex
	shared    *install // prepared by the first server, shared by the others
	users     int      // servers using shared
)

// acquireInstall returns the install, prepared by the first call, for a
// server that releases it when it closes.
func acquireInstall() (*install, error) {
	installMu.Lock()
	defer installMu.Unlock()
	if shared == nil {
		in, err := prepareInstall()
		if err != nil {
			return nil, err
		}
		shared = in
	}
	users++
	return shared, nil
}

// release ends a server's use of the install: the last one removes its
// copy, if one was made.
func (in *install) release() {
	installMu.Lock()
	defer installMu.Unlock()
	if users--; users == 0 {
		if in.tmp != "" {
			os.RemoveAll(in.tmp)
		}
		shared = nil
	}
}

// InstallDir is the absolute path of the repository's .cache/postgres: the
// repository is the nearest directory above the working directory (a
// test's package directory) holding go.mod.
func InstallDir() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, InstallPath), nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", fmt.Errorf("no go.mod above %s: cannot find the repository's %s", wd, InstallPath)
		}
		dir = up
	}
}

func prepareInstall() (*install, error) {
	dir, err := InstallDir()
	if err != nil {
		return nil, err
	}
	for _, b := range []string{"postgres", "initdb", "pg_ctl"} {
		if _, err := os.Stat(filepath.Join(dir, binDir, b)); err != nil {
			return nil, fmt.Errorf("PostgreSQL server not installed (%v): run make postgres", err)
		}
	}
	in := &install{}
	in.use(dir)
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
		// nobody may not reach the repository (under /root, say): then run
		// a copy from a world-readable temporary directory.
		if in.run("postgres", "--version") != nil {
			tmp, err := os.MkdirTemp("", "jtpg-install")
			if err != nil {
				return nil, err
			}
			if err := os.Chmod(tmp, 0o755); err != nil {
				os.RemoveAll(tmp)
				return nil, err
			}
			if err := copyTree(dir, tmp); err != nil {
				os.RemoveAll(tmp)
				return nil, fmt.Errorf("copy the PostgreSQL install for user %d: %w", uid, err)
			}
			in.use(tmp)
			in.tmp = tmp
		}
	}
	if err := in.run("postgres", "--version"); err != nil {
		if in.tmp != "" {
			os.RemoveAll(in.tmp)
		}
		return nil, fmt.Errorf("PostgreSQL server in %s does not run (%v): run make postgres", dir, err)
	}
	return in, nil
}

// use runs the server from the install in dir.
func (in *install) use(dir string) {
	in.dir = dir
	in.libs = filepath.Join(dir, "usr/lib/x86_64-linux-gnu") + ":" + filepath.Join(dir, "lib/x86_64-linux-gnu")
}

// command is one of the server's programs, run with its libraries, as the
// install's user, killed if the test binary dies.
func (in *install) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(in.dir, binDir, name), args...)
	cmd.Env = []string{"LD_LIBRARY_PATH=" + in.libs, "LC_ALL=C", "PATH=/usr/bin:/bin"}
	cmd.SysProcAttr = childProcAttr()
	cmd.SysProcAttr.Credential = in.cred
	return cmd
}

// run runs one of the server's programs to its end.
func (in *install) run(name string, args ...string) error {
	if out, err := in.command(name, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("%s %v: %w\n%s", name, args, err, out)
	}
	return nil
}

// childProcAttr makes a child die with the test binary: on Linux it sets
// Pdeathsig, so a test binary killed by its -timeout leaves no server
// behind (its backends notice that the postmaster died and exit). Go sets
// it after switching to Credential, which would otherwise clear it.
// Pdeathsig exists only on Linux, hence the reflection.
func childProcAttr() *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{}
	if f := reflect.ValueOf(attr).Elem().FieldByName("Pdeathsig"); f.IsValid() && f.CanSet() {
		f.Set(reflect.ValueOf(syscall.SIGKILL).Convert(f.Type()))
	}
	return attr
}

// copyTree copies the directories, regular files and symbolic links of src
// into dst, keeping modes and making them readable by anyone.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		to := filepath.Join(dst, rel)
		info, err := os.Lstat(path)
		switch {
		case err != nil:
			return err
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
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, info.Mode().Perm()|0o444)
	})
}

// Server is a throwaway PostgreSQL server with a fresh database cluster
// whose superuser is jtchain (trust authentication), listening on a unix
// socket only. Its data directory and socket are in one temporary
// directory, a short path: a socket's path must fit in 107 bytes. It can be
// stopped and started again on the same data; Close ends it for good.
type Server struct {
	in   *install
	base string // the temporary directory: data/ and the socket
	data string
	log  *syncLog // the output of every run of the server

	mu     sync.Mutex
	cmd    *exec.Cmd // nil: stopped
	exited chan struct{}
	closed bool
}

// syncLog is a server's log: written by exec's copying goroutine, read by
// the tests.
type syncLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// NewServer starts a server for t alone: t fails (never skips) if none can
// start, and the server is closed when t ends, after its log is logged if t
// failed.
func NewServer(t testing.TB) *Server {
	t.Helper()
	s, err := StartServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			log := s.Logs()
			if len(log) > logTail {
				log = "..." + log[len(log)-logTail:]
			}
			t.Logf("postgres log:\n%s", log)
		}
		s.Close()
	})
	return s
}

// StartServer initializes a database cluster in a new temporary directory
// and starts a server on it, for a caller that has no testing.TB (TestMain)
// and must Close it.
func StartServer() (*Server, error) {
	in, err := acquireInstall()
	if err != nil {
		return nil, err
	}
	base, err := os.MkdirTemp("", "jtpg")
	if err != nil {
		in.release()
		return nil, err
	}
	s := &Server{in: in, base: base, data: filepath.Join(base, "data"), log: &syncLog{}}
	if in.cred != nil {
		if err := os.Chown(base, int(in.cred.Uid), int(in.cred.Gid)); err != nil {
			s.Close()
			return nil, err
		}
	}
	// --no-sync: the template files need not reach the disk of a throwaway
	// directory; the server itself runs with fsync=on.
	if err := in.run("initdb", "-D", s.data, "-U", "jtchain", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.Start(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// DSN connects to the server's postgres database as its superuser.
func (s *Server) DSN() string {
	return fmt.Sprintf("host=%s port=%d user=jtchain dbname=postgres sslmode=disable", s.base, port)
}

// Start starts the server on its data directory, again after Stop, and
// waits until it takes connections.
func (s *Server) Start() error {
	s.mu.Lock()
	switch {
	case s.closed:
		s.mu.Unlock()
		return errors.New("server closed")
	case s.cmd != nil:
		s.mu.Unlock()
		return errors.New("server already running")
	}
	s.mu.Unlock()
	cmd := s.in.command("postgres", "-D", s.data, "-k", s.base, "-p", strconv.Itoa(port),
		"-c", "listen_addresses=", "-c", "fsync=on", "-c", "jit=off", "-c", "max_connections=50")
	cmd.Stdout, cmd.Stderr = s.log, s.log
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	s.mu.Lock()
	s.cmd, s.exited = cmd, exited
	s.mu.Unlock()

	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		c, err := pgx.Connect(ctx, s.DSN())
		cancel()
		if err == nil {
			c.Close(context.Background())
			return nil
		}
		select {
		case <-exited:
			s.mu.Lock()
			s.cmd = nil
			s.mu.Unlock()
			return fmt.Errorf("postgres exited during start:\n%s", s.Logs())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres did not take connections in 30s (%v):\n%s", err, s.Logs())
		}
	}
}

// Stop shuts the server down the way an operator would (pg_ctl stop -m
// fast: sessions end, what is committed stays) and waits until the server
// process is gone, killing it if it does not go. A failing pg_ctl is noted
// in the server's log. Stopping a stopped server does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	if err := s.in.run("pg_ctl", "stop", "-D", s.data, "-m", "fast", "-w", "-t", "20"); err != nil {
		fmt.Fprintf(s.log, "pgtest: pg_ctl stop: %v\n", err)
	}
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

// Close stops the server and removes its directory; the server cannot be
// started again. Closing a closed server does nothing.
func (s *Server) Close() {
	s.Stop()
	s.mu.Lock()
	closed := s.closed
	s.closed = true
	s.mu.Unlock()
	if closed {
		return
	}
	os.RemoveAll(s.base)
	s.in.release()
}

// Signal sends sig to the server and its backends: the postmaster and each
// of its children (each backend is in a session of its own, so the
// postmaster's process group is not enough). SIGSTOP and SIGCONT make a
// server that hangs rather than one that is down.
func (s *Server) Signal(sig syscall.Signal) error {
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

// Exec runs sql on the server's postgres database as its superuser,
// failing t if it does not succeed.
func (s *Server) Exec(t testing.TB, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, s.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// Logs is the server's output so far, across every start.
func (s *Server) Logs() string {
	return s.log.String()
}

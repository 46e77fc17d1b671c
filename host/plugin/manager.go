package plugin

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/hashicorp/go-hclog"
)

// Manager supervises every configured plugin instance of the node.
type Manager struct {
	sups   []*Supervisor // in config order
	byName map[string]*Supervisor
}

// NewManager checks every instance config and reports all problems at
// once, including duplicate names. Nothing is launched until Start.
func NewManager(cfgs []InstanceConfig, logger hclog.Logger) (*Manager, error) {
	m := &Manager{byName: make(map[string]*Supervisor, len(cfgs))}
	var errs []error
	for i, cfg := range cfgs {
		s, err := NewSupervisor(cfg, logger)
		if err != nil {
			errs = append(errs, fmt.Errorf("plugins.instance[%d]: %w", i, err))
			continue
		}
		if _, dup := m.byName[cfg.Name]; dup {
			errs = append(errs, fmt.Errorf("plugins.instance[%d]: the name %q is used twice: instance names must be unique", i, cfg.Name))
			continue
		}
		m.sups = append(m.sups, s)
		m.byName[cfg.Name] = s
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return m, nil
}

// Start launches every instance concurrently and returns all failures at
// once, each naming its instance, in config order. Instances that started
// keep running either way; a caller that refuses to run with a failed
// plugin calls Stop.
func (m *Manager) Start(ctx context.Context) error {
	errs := make([]error, len(m.sups))
	var wg sync.WaitGroup
	for i, s := range m.sups {
		wg.Go(func() { errs[i] = s.Start(ctx) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Stop stops every instance concurrently. Each plugin gets go-plugin's
// graceful exit until ctx's deadline, then its process group is killed.
// It returns when all are stopped or with the instances that were not.
func (m *Manager) Stop(ctx context.Context) error {
	errs := make([]error, len(m.sups))
	var wg sync.WaitGroup
	for i, s := range m.sups {
		wg.Go(func() { errs[i] = s.Stop(ctx) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// List returns the status of every instance, in config order.
func (m *Manager) List() []Status {
	out := make([]Status, len(m.sups))
	for i, s := range m.sups {
		out[i] = s.Status()
	}
	return out
}

// Supervisor returns the named instance's supervisor.
func (m *Manager) Supervisor(name string) (*Supervisor, bool) {
	s, ok := m.byName[name]
	return s, ok
}

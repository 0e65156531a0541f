package config

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Load reads the configuration named by paths, the arguments of -f: each
// one is a file, or a directory whose regular, non-hidden files ending in
// ".cfg" are read in lexical (byte) order, without recursion, as HAProxy
// does. The sources are then parsed with ParseSources.
//
// A path that cannot be read yields an error naming it that wraps the
// operating system's error (errors.Is(err, fs.ErrNotExist) works); parse
// problems yield an *Error as with ParseSources.
func Load(paths []string, opts Options) (*Config, error) {
	var srcs []Source
	for _, path := range paths {
		names, err := expandPath(path)
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			data, err := os.ReadFile(name)
			if err != nil {
				return nil, fmt.Errorf("config: could not open configuration file %s: %w", name, err)
			}
			srcs = append(srcs, Source{Name: name, Data: data})
		}
	}
	return ParseSources(srcs, opts)
}

// expandPath returns path itself, or the configuration files of the
// directory it names.
func expandPath(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("config: could not open configuration file %s: %w", path, err)
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, fmt.Errorf("config: cannot open configuration directory %s: %w", path, err)
	}
	var names []string
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".cfg") {
			continue
		}
		full := filepath.Join(path, name)
		fst, err := os.Stat(full)
		if err != nil {
			return nil, fmt.Errorf("config: cannot open configuration file %s: %w", full, err)
		}
		if fst.Mode().IsRegular() {
			names = append(names, full)
		}
	}
	sort.Strings(names)
	return names, nil
}

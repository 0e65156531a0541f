package cli

import "hitless/engine/config"

// builtinCommands returns the commands every server has. Their usage and
// help texts are HAProxy 2.6's, so that help listings match.
func builtinCommands() []Command {
	return []Command{
		// help, prompt and quit are always listed by the help trailer.
		{Words: []string{"help"}, Run: runHelp},
		{Words: []string{"prompt"}, Run: runPrompt},
		{Words: []string{"quit"}, Run: runQuit},
		// hidden, gated by "expose-fd listeners" rather than by level
		{Words: []string{"_getsocks"}, Run: runGetsocks},
		{
			Words: []string{"operator"},
			// checked by runSetLevel, after "-" is honoured, as HAProxy does
			Level: config.LevelUser,
			Usage: "operator",
			Help:  "lower the level of the current CLI session to operator",
			Run:   runSetLevel,
		},
		{
			Words: []string{"user"},
			Usage: "user",
			Help:  "lower the level of the current CLI session to user",
			Run:   runSetLevel,
		},
		{
			Words: []string{"show", "cli", "level"},
			Usage: "show cli level",
			Help:  "display the level of the current CLI session",
			Run:   runShowCliLevel,
		},
		{
			Words: []string{"show", "info"},
			Usage: "show info [desc|json|typed|float]*",
			Help:  "report information about the running process",
			Run:   runShowInfo,
		},
		{
			Words: []string{"show", "stat"},
			Usage: "show stat [desc|json|no-maint|typed|up]*",
			Help:  "report counters for each proxy and server",
			Run:   runShowStat,
		},
		{
			Words: []string{"show", "version"},
			Usage: "show version",
			Help:  "show version of the current process",
			Run:   runShowVersion,
		},
	}
}

func runHelp(s *Session, args []string, _ []byte) error {
	s.WriteString(s.srv.cmds.usage(args[1:], true))
	return nil
}

// runPrompt toggles interactive mode; the prompt printed after this very
// command already follows the new mode.
func runPrompt(s *Session, _ []string, _ []byte) error {
	s.interactive = !s.interactive
	return nil
}

func runQuit(s *Session, _ []string, _ []byte) error {
	s.Quit()
	return nil
}

const permissionDenied = "Permission denied\n"

// runSetLevel implements "operator" and "user": they lower the session
// level and never raise it. A "-" argument suppresses the empty line ending
// the answer, even when permission is denied.
func runSetLevel(s *Session, args []string, _ []byte) error {
	if len(args) > 1 && args[1] == "-" {
		s.noLF = true
	}
	want := config.LevelUser
	if args[0] == "operator" {
		want = config.LevelOperator
	}
	if s.level < want {
		s.WriteString(permissionDenied)
		return nil
	}
	s.level = want
	return nil
}

func runShowCliLevel(s *Session, _ []string, _ []byte) error {
	switch s.level {
	case config.LevelAdmin:
		s.WriteString("admin\n")
	case config.LevelOperator:
		s.WriteString("operator\n")
	case config.LevelUser:
		s.WriteString("user\n")
	default:
		s.WriteString("unknown\n")
	}
	return nil
}

func runShowVersion(s *Session, _ []string, _ []byte) error {
	info := s.srv.src.Info()
	s.WriteString(info.Version)
	s.WriteString("\n")
	return nil
}

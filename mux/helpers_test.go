package mux

import "log/slog"

func nil2log() *slog.Logger { return slog.New(slog.DiscardHandler) }

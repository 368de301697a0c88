//go:build !linux

package main

func markIdentity(path, ident string) {}

func readIdentity(path string) string { return "" }

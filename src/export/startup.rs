//! Variables that make a program load or run other code: `envmint run` holds them back from
//! the command unless the user names them (`--allow-var`).
//!
//! A dotenv file is repository content: whoever gets a line merged into `.env.development`
//! (or the example it is copied from) could otherwise have `LD_PRELOAD=./x.so` or
//! `BASH_ENV=./x.sh` run code in every process `envmint run` starts, or put their own folder
//! first in `PATH`. An app's settings never need these; a user who does can pass them.

/// Exact names held back: loaders, shells' start-up files, interpreters' start-up options
/// and module paths, and the files glibc refuses in set-uid programs for the same reason.
const NAMES: &[&str] = &[
    // sh, bash, zsh: start-up files, word splitting, traces, prompts.
    "BASH_ENV",
    "ENV",
    "ZDOTDIR",
    "IFS",
    "SHELLOPTS",
    "BASHOPTS",
    "PS4",
    "PROMPT_COMMAND",
    "PATH",
    "CDPATH",
    // glibc (its "unsecure" list): charset converters, locales, resolver, tunables.
    "GCONV_PATH",
    "GETCONF_DIR",
    "GLIBC_TUNABLES",
    "HOSTALIASES",
    "LOCALDOMAIN",
    "LOCPATH",
    "MALLOC_TRACE",
    "NIS_PATH",
    "NLSPATH",
    "RESOLV_HOST_CONF",
    "RES_OPTIONS",
    // Node.
    "NODE_OPTIONS",
    "NODE_PATH",
    "NODE_REPL_EXTERNAL_MODULE",
    // Python.
    "PYTHONSTARTUP",
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONUSERBASE",
    "PYTHONWARNINGS",
    "PYTHONBREAKPOINT",
    "PYTHONINSPECT",
    // Perl, Ruby, PHP, Lua, Tcl.
    "PERL5OPT",
    "PERL5LIB",
    "PERLLIB",
    "PERL5DB",
    "RUBYOPT",
    "RUBYLIB",
    "PHPRC",
    "PHP_INI_SCAN_DIR",
    "LUA_INIT",
    "LUA_PATH",
    "LUA_CPATH",
    "TCLLIBPATH",
    // Java.
    "JAVA_TOOL_OPTIONS",
    "_JAVA_OPTIONS",
    "JDK_JAVA_OPTIONS",
    "CLASSPATH",
    // .NET, R, Erlang/Elixir.
    "DOTNET_STARTUP_HOOKS",
    "CORECLR_PROFILER_PATH",
    "R_PROFILE",
    "R_PROFILE_USER",
    "ERL_AFLAGS",
    "ERL_ZFLAGS",
    "ERL_LIBS",
    "ELIXIR_ERL_OPTIONS",
    // OpenSSL engines and configuration, TLS key logs.
    "OPENSSL_CONF",
    "OPENSSL_ENGINES",
    "OPENSSL_MODULES",
    "SSLKEYLOGFILE",
    // git run by the app: programs it starts.
    "GIT_SSH",
    "GIT_SSH_COMMAND",
    "GIT_EXEC_PATH",
    "GIT_EXTERNAL_DIFF",
    "GIT_ASKPASS",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_CONFIG_GLOBAL",
    "GIT_CONFIG_SYSTEM",
    // git run by the app: the repository and templates it reads (a `GIT_DIR` of the
    // repository's choosing brings its config, and with it `core.fsmonitor` and hooks).
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_TEMPLATE_DIR",
    "GIT_PAGER",
    "GIT_EDITOR",
    "GIT_SEQUENCE_EDITOR",
    "GIT_PROXY_COMMAND",
    // Where programs read their configuration (git's, envmint's own allow list, every XDG
    // tool's): a file that moves them into the repository hands it their settings.
    "HOME",
    "XDG_CONFIG_HOME",
    "XDG_CONFIG_DIRS",
    "XDG_DATA_HOME",
    "XDG_DATA_DIRS",
    // Programs tools start for the user, and build tools' wrappers.
    "PAGER",
    "MANPAGER",
    "EDITOR",
    "VISUAL",
    "BROWSER",
    "GOFLAGS",
    "RUSTC_WRAPPER",
    "RUSTC",
    "GEM_HOME",
    "GEM_PATH",
    // Pagers and helpers some tools run.
    "LESSOPEN",
    "LESSCLOSE",
];

/// Prefixes held back: the dynamic loaders' (`LD_PRELOAD`, `LD_LIBRARY_PATH`, `LD_AUDIT`,
/// macOS `DYLD_INSERT_LIBRARIES`...), git's numbered configuration, bash's exported functions.
const PREFIXES: &[&str] = &[
    "LD_",
    "DYLD_",
    "GIT_CONFIG_KEY_",
    "GIT_CONFIG_VALUE_",
    "BASH_FUNC_",
    // npm's whole configuration (`npm_config_script_shell`, `..._node_options`, registries).
    "npm_config_",
    "NPM_CONFIG_",
    // envmint's own settings: a nested envmint must not take the file's identity or lock.
    "ENVMINT_",
];

/// Whether `name` makes a program load or run other code, or changes what a shell runs
/// (see the module docs): `envmint run` passes it only when the user names it.
pub fn is_startup_variable(name: &str) -> bool {
    NAMES.contains(&name) || PREFIXES.iter().any(|p| name.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::is_startup_variable;

    #[test]
    fn loader_shell_and_interpreter_variables_are_held_back() {
        for name in [
            "LD_PRELOAD",
            "LD_LIBRARY_PATH",
            "LD_AUDIT",
            "DYLD_INSERT_LIBRARIES",
            "BASH_ENV",
            "ENV",
            "PATH",
            "NODE_OPTIONS",
            "PYTHONSTARTUP",
            "PYTHONPATH",
            "PERL5OPT",
            "PERL5LIB",
            "RUBYOPT",
            "GCONV_PATH",
            "IFS",
            "SHELLOPTS",
            "PS4",
            "PROMPT_COMMAND",
            "JAVA_TOOL_OPTIONS",
            "GIT_CONFIG_KEY_0",
            "GIT_DIR",
            "GIT_PAGER",
            "XDG_CONFIG_HOME",
            "HOME",
            "npm_config_script_shell",
            "ENVMINT_IDENTITY",
            "GOFLAGS",
            "DOTNET_STARTUP_HOOKS",
            "ERL_AFLAGS",
        ] {
            assert!(is_startup_variable(name), "{name}");
        }
    }

    #[test]
    fn an_apps_settings_pass() {
        for name in [
            "DATABASE_URL",
            "PORT",
            "APP_ENV",
            "NODE_ENV",
            "PYTHONUNBUFFERED",
            "ENVIRONMENT",
            "LD",
            "PATH_PREFIX",
            "MY_LD_PRELOAD",
            "path",
        ] {
            assert!(!is_startup_variable(name), "{name}");
        }
    }
}

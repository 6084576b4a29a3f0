pytest_plugins = ["cassettes.pytest_plugin"]

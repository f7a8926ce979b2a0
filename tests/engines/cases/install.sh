install_cases() { :; }

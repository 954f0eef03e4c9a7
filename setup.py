"""Map the top-level source folders into the single ``qkdchip`` import namespace."""

from setuptools import find_packages, setup

PACKAGE_ROOTS = {
    "qkdchip": "qkdchip",
    "qkdchip.pdk": "pdk",
    "qkdchip.components": "components",
    "qkdchip.circuits": "circuits",
    "qkdchip.simulations": "simulations",
}

packages: list[str] = []
package_dir: dict[str, str] = {}
for name, folder in PACKAGE_ROOTS.items():
    package_dir[name] = folder
    packages.append(name)
    packages += [f"{name}.{sub}" for sub in find_packages(folder)]

setup(
    packages=packages,
    package_dir=package_dir,
    package_data={
        "": ["*.json", "*.toml", "*.yaml", "*.lyp", "data/*.json", "data/devices/*.json"]
    },
)

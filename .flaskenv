# Read by `flask` (python-dotenv) so plain `flask ...` works inside the venv.
FLASK_APP=app:create_app
PLANWRIGHT_ENV=development
